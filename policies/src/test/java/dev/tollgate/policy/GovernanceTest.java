package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.budget.Admission;
import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.budget.LlmCall;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The organisation's layers: the app can only tighten them; locks; names; the directory's integrity. */
class GovernanceTest {
  @TempDir
  Path tmp;

  private Path governance(String... nameAndText) throws IOException {
    Path dir = tmp.resolve("governance");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (int i = 0; i < nameAndText.length; i += 2) {
      Path f = dir.resolve(nameAndText[i]);
      Files.writeString(f, nameAndText[i + 1]);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }
    return dir;
  }

  private Policy app(String yaml) throws PolicyException {
    return PolicyLoader.parse(yaml, tmp.resolve("app.yaml").toString());
  }

  private Policy governed(Path dir, String appYaml) throws PolicyException {
    return GovernanceLoader.govern(app(appYaml), GovernanceLoader.load(dir), Map.of(), null, null).policy();
  }

  private static ToolVerdict call(PolicyEngine e, String tool, String args) {
    return e.decide(new ToolCall(tool, "test", "run-1", args, null, Map.of()));
  }

  private static final String ORG = "version: 1\n"
      + "tools:\n"
      + "  deny: [\"shell_*\"]\n"
      + "  rules:\n"
      + "    - tool: fetch\n"
      + "      args: { url: \"http://169.254.*\" }\n"
      + "      decision: deny\n"
      + "      reason: metadata service\n"
      + "limits:\n"
      + "  - { name: org-run-cap, scope: run, tools: \"*\", max_calls: 3 }\n";

  @Test
  void anOrganisationDenyCannotBeAllowedByTheAppsAllowRulesProfileOrMonitorMode() throws Exception {
    Path dir = governance("org.yaml", ORG);
    String[] apps = {
        "version: 1\ntools: { default: deny, allow: [\"shell_exec\", fetch] }\n",
        "version: 1\ntools:\n  rules:\n    - { tool: shell_exec, decision: allow }\n",
        "version: 1\nprofile: open\nprofiles:\n  open:\n    tools: { allow: [\"*\"] }\n",
        "version: 1\nmode: monitor\n",
    };
    for (String appYaml : apps) {
      PolicyEngine e = new PolicyEngine(governed(dir, appYaml), Clock.systemUTC());
      ToolVerdict v = call(e, "shell_exec", "{}");
      assertEquals(Outcome.DENY, v.outcome(), appYaml);
      assertTrue(v.enforced(), appYaml);
      assertEquals("governance/org.yaml: tools.deny[0]", v.rule(), appYaml);
      ToolVerdict metadata = call(e, "fetch", "{\"url\":\"http://169.254.169.254/latest\"}");
      assertEquals(Outcome.DENY, metadata.outcome(), appYaml);
      assertTrue(metadata.enforced(), appYaml);
      assertEquals("governance/org.yaml: tools.rules[0]", metadata.rule(), appYaml);
    }
  }

  @Test
  void theAppTightensWhatTheOrganisationAllows() throws Exception {
    Policy p = governed(governance("org.yaml", ORG), "version: 1\ntools: { deny: [\"web_*\"] }\n");
    PolicyEngine e = new PolicyEngine(p, Clock.systemUTC());
    assertEquals("tools.deny[0]", call(e, "web_search", "{}").rule());
    assertEquals(Outcome.ALLOW, call(e, "read_file", "{}").outcome());
  }

  @Test
  void organisationLimitsApplyUnderTheirOwnNamesEvenWhenTheAppMonitors() throws Exception {
    Policy p = governed(governance("org.yaml", ORG),
        "version: 1\nmode: monitor\nlimits:\n  - { name: app-cap, scope: run, tools: \"*\", max_calls: 1 }\n");
    assertEquals(List.of("org-run-cap", "app-cap"), p.limits().stream().map(Limit::name).toList());
    PolicyEngine e = new PolicyEngine(p, Clock.systemUTC());
    assertEquals(Outcome.ALLOW, call(e, "a", "{}").outcome());
    ToolVerdict second = call(e, "a", "{}"); // past the app's monitored cap: reported, not enforced
    assertEquals(Outcome.DENY, second.outcome());
    assertFalse(second.enforced());
    assertEquals("limits[0]", second.rule());
    assertFalse(call(e, "a", "{}").enforced());
    ToolVerdict fourth = call(e, "a", "{}");
    assertEquals(Outcome.DENY, fourth.outcome());
    assertTrue(fourth.enforced());
    assertEquals("governance/org.yaml: limits[0]", fourth.rule());
    assertEquals("org-run-cap", fourth.breach().limit());
  }

  @Test
  void organisationBudgetsHoldEvenWhenTheAppMonitors() throws Exception {
    Path dir = governance("budgets.yaml", "version: 1\nbudgets:\n"
        + "  - { name: org-daily, scope: process, max_usd: 0.01 }\n");
    Policy p = governed(dir, "version: 1\nmode: monitor\nbudgets:\n  - { name: app, scope: process, max_usd: 0.001 }\n");
    LlmGovernor g = new LlmGovernor(p, Clock.systemUTC(), Ledger.none());
    // gpt-4o: 2.50 / 10.00 USD per million tokens; 1000 in + 1000 out is at most 0.0125 USD, past both caps
    Admission a = g.admit(new LlmCall("openai", "gpt-4o", "r", null, null, 1000, 1000, 1));
    assertEquals(Outcome.DENY, a.outcome());
    assertTrue(a.enforced());
    assertEquals("governance/budgets.yaml: budgets[0]", a.rule());
  }

  @Test
  void aLockedModeSetByTheAppNamesBothFiles() throws Exception {
    Path dir = governance("org.yaml", "version: 1\nmode: enforce\nlock: [mode]\n");
    PolicyException e = assertThrows(PolicyException.class, () -> governed(dir, "version: 1\n\nmode: monitor\n"));
    PolicyError err = e.errors().get(0);
    assertEquals(tmp.resolve("app.yaml").toString(), err.file());
    assertEquals(3, err.line());
    assertEquals(1, err.column());
    assertTrue(err.message().contains(dir.resolve("org.yaml").toString()), err.message());
    // the agent's own setting is refused too
    PolicyException config = assertThrows(PolicyException.class, () -> GovernanceLoader.govern(app("version: 1\n"),
        GovernanceLoader.load(dir), Map.of("mode", "system property tollgate.mode"), Mode.MONITOR, null));
    assertTrue(config.errors().get(0).toString().contains("system property tollgate.mode"));
    // and the locked value is the organisation's
    assertEquals(Mode.ENFORCE, governed(dir, "version: 1\n").mode());
  }

  @Test
  void aKeyLockedByOneGovernanceFileCannotBeSetByAnother() throws Exception {
    Path dir = governance("a.yaml", "version: 1\nlock: [profile, fail-mode]\nfail_mode: closed\n",
        "b.yaml", "version: 1\nfail_mode: open\n");
    PolicyException e = assertThrows(PolicyException.class, () -> governed(dir, "version: 1\n"));
    assertEquals(dir.resolve("b.yaml").toString(), e.errors().get(0).file());
    assertEquals(2, e.errors().get(0).line());
    assertTrue(e.errors().get(0).message().contains("a.yaml"));
  }

  @Test
  void aLockedFailModeIsTheOrganisations() throws Exception {
    Path dir = governance("a.yaml", "version: 1\nlock: [fail-mode]\n");
    GovernanceLoader.Governed g = GovernanceLoader.govern(app("version: 1\n"), GovernanceLoader.load(dir), Map.of(),
        null, null);
    assertEquals("closed", g.failMode());
    assertTrue(g.failModeLocked());
  }

  @Test
  void anAppLimitOrBudgetCannotTakeAnOrganisationsName() throws Exception {
    Path dir = governance("org.yaml", ORG);
    PolicyException e = assertThrows(PolicyException.class, () -> governed(dir,
        "version: 1\nlimits:\n  - { name: org-run-cap, scope: run, tools: \"*\", max_calls: 100 }\n"));
    assertTrue(e.errors().get(0).message().contains("governance/org.yaml limits[0]"), e.errors().get(0).message());
  }

  @Test
  void governanceFilesCannotSetTheAppsOwnSettingsAndAppsCannotLock() throws Exception {
    Path dir = governance("org.yaml", "version: 1\nledger: { dir: /tmp/x }\n");
    PolicyException e = assertThrows(PolicyException.class, () -> GovernanceLoader.load(dir));
    assertEquals(2, e.errors().get(0).line());
    assertTrue(e.errors().get(0).message().startsWith("ledger is the app's own setting"), e.errors().get(0).message());
    PolicyException app = assertThrows(PolicyException.class, () -> app("version: 1\nlock: [mode]\n"));
    assertTrue(app.errors().get(0).message().startsWith("lock is for governance files"));
    Files.delete(dir.resolve("org.yaml"));
    PolicyException bad = assertThrows(PolicyException.class,
        () -> GovernanceLoader.load(governance("x.yaml", "version: 1\nlock: [mdoe]\n")));
    assertTrue(bad.errors().get(0).message().contains("did you mean \"mode\"?"), bad.errors().get(0).message());
  }

  @Test
  void aGroupWritableFileIsRefusedNamingIt() throws Exception {
    Path dir = governance("org.yaml", ORG);
    Files.setPosixFilePermissions(dir.resolve("org.yaml"), PosixFilePermissions.fromString("rw-rw-r--"));
    PolicyException e = assertThrows(PolicyException.class, () -> GovernanceLoader.load(dir));
    assertEquals(dir.resolve("org.yaml").toString(), e.errors().get(0).file());
    assertTrue(e.errors().get(0).message().contains("writable by its group"), e.errors().get(0).message());
    Files.setPosixFilePermissions(dir.resolve("org.yaml"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    PolicyException world = assertThrows(PolicyException.class, () -> GovernanceLoader.load(dir));
    assertTrue(world.errors().get(0).message().contains("writable by its group and everyone"));
  }

  @Test
  void aFileOwnedByTheAppsUserInADirectoryOwnedByAnotherIsRefused() throws Exception {
    Long me = GovernanceLoader.appUid();
    Assumptions.assumeTrue(me != null && me == 0, "needs root to give the directory to another user");
    Path dir = governance("org.yaml", ORG);
    UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(dir, nobody);
    PolicyException e = assertThrows(PolicyException.class, () -> GovernanceLoader.load(dir));
    assertEquals(dir.resolve("org.yaml").toString(), e.errors().get(0).file());
    assertTrue(e.errors().get(0).message().contains("owned by the app's own user"), e.errors().get(0).message());
    Files.setOwner(dir.resolve("org.yaml"), nobody);
    assertEquals(1, GovernanceLoader.load(dir).layers().size());
  }

  @Test
  void anEmptyOrMissingDirectoryIsAnError() throws Exception {
    Path dir = governance();
    assertTrue(assertThrows(PolicyException.class, () -> GovernanceLoader.load(dir)).errors().get(0).message()
        .contains("has no *.yaml"));
    assertTrue(assertThrows(PolicyException.class, () -> GovernanceLoader.load(tmp.resolve("nope"))).errors().get(0)
        .message().contains("no such directory"));
  }
}
