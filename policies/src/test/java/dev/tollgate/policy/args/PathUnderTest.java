package dev.tollgate.policy.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths read as the kernel reads them. The app runs in {@code <tmp>/app} with its workspace in
 * {@code <tmp>/app/workspace}; {@code <tmp>/etc} stands for /etc, and the workspace holds symbolic links out of it.
 */
class PathUnderTest {
  @TempDir
  static Path tmp;
  static Path app;
  static Path workspace;
  static MatchContext ctx;

  @BeforeEach
  void layout() throws IOException {
    app = tmp.resolve("app");
    workspace = app.resolve("workspace");
    Files.createDirectories(workspace.resolve("sub"));
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/passwd"), "root:x:0:0");
    Files.createDirectories(tmp.resolve("home/me"));
    link(workspace.resolve("out"), tmp.resolve("etc"));
    link(workspace.resolve("dangling"), tmp.resolve("etc/cron.d/job"));
    link(workspace.resolve("up"), Path.of(".."));
    link(workspace.resolve("loop1"), workspace.resolve("loop2"));
    link(workspace.resolve("loop2"), workspace.resolve("loop1"));
    ctx = new MatchContext(tmp.getFileSystem(), app, tmp.resolve("home/me"), Map.of("WS", workspace.toString())::get,
        false);
  }

  private static void link(Path link, Path target) throws IOException {
    if (!Files.isSymbolicLink(link)) {
      Files.createSymbolicLink(link, target);
    }
  }

  private static Reading notUnderWorkspace(String path) {
    return new ArgumentMatcher.PathUnder(List.of("${user.dir}/workspace"), true).compile(ctx)
        .read(ArgumentValue.string(path.replace("$TMP", tmp.toString())), true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"workspace/a.txt", "./workspace/a.txt", "workspace//sub/../a.txt", "$TMP/app/workspace/x",
      "$TMP/app/./workspace/sub/", "$TMP//app///workspace/x", "workspace", "workspace/new/dir/file",
      "file://$TMP/app/workspace/x", "workspace/%41.txt"})
  void pathsInsideTheWorkspaceAreInside(String path) {
    Reading r = notUnderWorkspace(path);
    assertEquals(Reading.Result.NO_MATCH, r.result(), path + " -> " + r.account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"workspace/../../etc/passwd", "$TMP/app/workspace/../../etc/passwd", "../etc/passwd",
      "$TMP/etc/passwd", "$TMP//etc/passwd", "workspace/out/passwd", "workspace/dangling", "workspace/up/secret",
      "workspace/sub/../../x", "~/.ssh/id_rsa", "~", "/", "workspace-evil/x", "workspac", "$TMP/app",
      "file:///etc/passwd", "file://$TMP/etc/passwd", "workspace/out/../passwd"})
  void pathsThatLeaveTheWorkspaceAreOutside(String path) {
    Reading r = notUnderWorkspace(path);
    assertEquals(Reading.Result.MATCH, r.result(), path + " -> " + r.account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"workspace/..\\..\\etc\\passwd", "workspace\\x", "workspace/%2e%2e/%2e%2e/etc/passwd",
      "workspace/%2E%2E%2Fx", "workspace/a%00.txt", "workspace/a\u0000.txt", "~root/.ssh", "$HOME/.ssh",
      "${HOME}/x", "", "workspace/loop1/x", "file://evil.example.com/etc/passwd", "file:///etc/%00"})
  void pathsToolsReadDifferentlyAreUninterpretable(String path) {
    Reading r = notUnderWorkspace(path);
    assertEquals(Reading.Result.UNINTERPRETABLE, r.result(), path + " -> " + r.account());
    assertEquals(true, r.matchesFor(true), "a deny rule denies");
  }

  /** java.net.URL (and Spring's resource loader, which falls back to it) opens these as $TMP/etc/passwd. */
  @ParameterizedTest
  @ValueSource(strings = {"file://$TMP/etc/passwd?/../../app/workspace/x",
      "file://$TMP/etc/passwd#/../../app/workspace/x", " file://$TMP/etc/passwd", "\tfile://$TMP/etc/passwd",
      "url:file://$TMP/etc/passwd", "URL:file://$TMP/etc/passwd"})
  void aFileUrlIsReadAsJavaNetUrlOpensIt(String path) {
    Reading r = notUnderWorkspace(path);
    assertEquals(true, r.matchesFor(true), path + " -> " + r.account());
    Reading etc = new ArgumentMatcher.PathUnder(List.of(tmp.resolve("etc").toString()), false).compile(ctx)
        .read(ArgumentValue.string(path.replace("$TMP", tmp.toString())), true);
    assertEquals(true, etc.matchesFor(true), path + " -> " + etc.account());
  }

  @Test
  void valuesThatAreNotStringsAreUninterpretable() {
    Reading r = new ArgumentMatcher.PathUnder(List.of("/"), false).compile(ctx)
        .read(new ArgumentValue(ArgumentValue.Kind.ARRAY, "[\"/etc\"]", List.of("/etc")), true);
    assertEquals(Reading.Result.UNINTERPRETABLE, r.result());
  }

  @Test
  void rootsExpandPlaceholdersAndTheReadingShowsTheCanonicalPath() {
    Reading r = new ArgumentMatcher.PathUnder(List.of("${env:WS}", "${user.home}/docs"), false).compile(ctx)
        .read(ArgumentValue.string("workspace/sub/../../workspace/out/passwd"), true);
    assertEquals(Reading.Result.NO_MATCH, r.result());
    assertEquals("reads as " + tmp.resolve("etc/passwd") + ", under none of [" + workspace + ", "
        + tmp.resolve("home/me/docs") + "]", r.account());
  }

  @Test
  void caseIsFoldedOnlyWhereTheFileSystemFoldsIt() {
    MatchContext folding = new MatchContext(ctx.fileSystem(), app, ctx.home(), ctx.env(), true);
    ArgumentValue upper = ArgumentValue.string(tmp + "/APP/WORKSPACE/x");
    assertEquals(Reading.Result.MATCH, new ArgumentMatcher.PathUnder(List.of("${user.dir}/workspace"), false)
        .compile(folding).read(upper, true).result());
    assertEquals(Reading.Result.NO_MATCH, new ArgumentMatcher.PathUnder(List.of("${user.dir}/workspace"), false)
        .compile(ctx).read(upper, true).result());
  }

  @Test
  void rootProblemsAreReportedForThePolicy() {
    assertNull(PathRoots.problem("${user.dir}/workspace", ctx));
    assertEquals("may use ${user.dir}, ${user.home} and ${env:NAME}, got ${java.home}",
        PathRoots.problem("${java.home}/lib", ctx));
    assertEquals("uses ${env:NOPE} but the environment variable NOPE is not set", PathRoots.problem("${env:NOPE}", ctx));
    assertEquals("is not a path Tollgate can read: it contains a backslash, which a tool on Windows reads as a "
        + "separator and this file system as part of a name", PathRoots.problem("C:\\work", ctx));
  }
}
