package dev.tollgate.policy.args;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Shell commands split into the commands they run, wrappers and quoting undone. */
class CommandPrefixTest {
  private static final ArgumentMatcher.Compiled DENIED = new ArgumentMatcher.CommandPrefix(
      List.of("rm", "sudo", "git push", "curl")).compile(MatchContext.system());
  private static final ArgumentMatcher.Compiled ALLOWED = new ArgumentMatcher.CommandPrefix(
      List.of("ls", "git status", "cat")).compile(MatchContext.system());

  private static Reading deny(String command) {
    return DENIED.read(ArgumentValue.string(command), true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rm -rf /", "bash -c 'rm -rf /'", "ls; rm -rf /", "'rm' -rf /", "ls && rm -rf /",
      "ls || rm -rf /", "ls | rm -rf /", "ls & rm -rf /", "echo hi\nrm -rf /", "echo $(rm -rf /)", "echo `rm -rf /`",
      "/bin/rm -rf /", "/usr/bin/env rm -rf /", "env X=1 rm -rf /", "env -i PATH=/bin rm -rf /", "X=1 rm -rf /",
      "\"rm\" -rf /", "r\"\"m -rf /", "r''m -rf /", "\\rm -rf /", "sh -c \"rm -rf /\"", "bash -lc 'rm -rf /'",
      "bash -x -e -c 'rm -rf /'", "zsh -o errexit -c 'rm -rf /'", "dash -c 'ls; rm -rf /'",
      "bash -c \"bash -c 'rm -rf /'\"", "sudo ls", "sudo -u root rm -rf /", "command rm -rf /", "exec rm -rf /",
      "nohup rm -rf / &", "time rm -rf /", "nice -n 10 rm -rf /", "timeout 5 rm -rf /", "xargs rm -rf < list",
      "find . | xargs -I{} rm {}", "eval 'rm -rf /'", "(rm -rf /)", "{ rm -rf /; }", "! rm -rf /",
      "cat <(rm -rf /)", "echo \"$(rm -rf /)\"", "echo \"`rm -rf /`\"", "git push --force", "git push origin main",
      "/usr/bin/git push", "curl http://169.254.169.254/", "ls 2>&1 | rm x", "ls > out; rm x", "busybox rm -rf /",
      "env -S 'rm -rf /'", "rm\t-rf /", "find / -exec rm -rf {} \\;", "find . -execdir /bin/rm {} +",
      "su -c 'rm -rf /' root", "su root --command 'ls; rm -rf /'", "true\\\n; rm x", "ls # comment\nrm -rf /"})
  void everyWayOfRunningADeniedProgramIsFound(String command) {
    assertEquals(Reading.Result.MATCH, deny(command).result(), command + " -> " + deny(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ls -la", "echo rm -rf /", "git status", "git pushy", "gitpush", "cat rm.txt",
      "echo 'rm -rf /'", "grep -r \"sudo\" .", "echo $HOME", "rmdir x", "ls > rm", "echo \"; rm -rf /\"",
      "echo '$(rm -rf /)'", "bash script.sh", "printf '%s' rm"})
  void argumentsAndDataAreNotCommands(String command) {
    assertEquals(Reading.Result.NO_MATCH, deny(command).result(), command + " -> " + deny(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"$CMD -rf /", "${X} -rf /", "$(echo rm) -rf /", "`echo rm` -rf /", "r$X -rf /",
      "'unclosed", "\"unclosed", "echo $(unclosed", "echo `unclosed", "cat <<EOF\nrm -rf /\nEOF", "r* -rf /",
      "/bin/r? -rf /", "bash -c \"$SCRIPT\"", "eval \"$X\"", "git $(echo push)", "echo\u0000rm"})
  void commandsThatCannotBeSplitAreUninterpretable(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, deny(command).result(), command + " -> " + deny(command).account());
  }

  private static final ArgumentMatcher.Compiled RM = new ArgumentMatcher.CommandPrefix(List.of("rm", "git push"))
      .compile(MatchContext.system());

  private static Reading denyRm(String command) {
    return RM.read(ArgumentValue.string(command), true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"if rm -rf /; then :; fi", "if true; then rm -rf /; fi",
      "if false; then :; else rm -rf /; fi", "if false; then :; elif rm -rf /; then :; fi", "for f in a; do rm -rf /; done", "while rm -rf /; do :; done",
      "until rm -rf /; do :; done", "coproc rm -rf /", "function f { rm -rf /; }; f"})
  void aCommandAfterAReservedWordIsACommand(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{rm,-rf,/}", "r{m,} -rf /", "{r..r}m -rf /", "git {push,--force}", "git pu{s,}h"})
  void aWordTheShellBraceExpandsIsExpanded(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo {a,b}", "{ ls; }", "find . -name x -exec ls {} \\;"})
  void bracesTheShellDoesNotExpandChangeNothing(String command) {
    assertEquals(Reading.Result.NO_MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"$\"rm\" -rf /", "git $\"push\""})
  void aLocaleQuotedWordIsTranslatedByTheShell(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo ${X:-$(rm -rf /)}", "echo ${X:-`rm -rf /`}", "echo \"${X:-$(rm -rf /)}\"",
      "echo ${X:-${Y:-$(rm -rf /)}}", "echo $(( $(rm -rf /) + 1 ))", "echo \"$(( `rm -rf /` ))\""})
  void substitutionsInsideParameterAndArithmeticExpansionsRun(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @Test
  void deeplyNestedExpansionsAreUninterpretableNotAStackOverflow() {
    for (String open : List.of("${X:-", "$(( ")) {
      String command = "echo " + open.repeat(20_000);
      assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(), open);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"exec -a name rm -rf /", "sudo --user root rm -rf /", "sudo -Eu root rm -rf /",
      "doas -nu root rm -rf /", "env -iu HOME rm -rf /", "env -iS 'rm -rf x'", "env -S'rm -rf x'",
      "nice --adjustment 5 rm -rf /", "xargs --max-args 1 rm < list", "xargs -0n 1 rm < list",
      "stdbuf --output L rm -rf /", "ionice --class 3 rm -rf /", "flock --timeout 5 lock rm -rf /",
      "watch -d rm -rf x", "env --split-string 'rm -rf x'", "env -S \"$SCRIPT\""})
  void theValueOfAWrappersOptionIsNotItsProgram(String command) {
    assertEquals(true, denyRm(command).matchesFor(true), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"watch 'rm -rf x'", "watch -n 1 'ls; rm -rf x'", "watch echo\\;rm -rf /",
      "flock lock -c 'rm -rf /'", "flock -w 5 lock --command 'ls && rm -rf /'"})
  void watchAndFlockRunTheirCommandThroughAShell(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"unshare -r rm -rf /", "unshare --map-root-user --mount rm -rf /", "unshare -- rm -rf /",
      "unshare --mount=/run/ns/mnt rm -rf /", "unshare -R /srv rm -rf /",
      "unshare -R/srv rm -rf /", "unshare -rR /srv rm -rf /", "unshare --root /srv rm -rf /",
      "unshare --propagation private rm -rf /", "unshare --prop private rm -rf /", "unshare -fp --mount-proc rm -rf /",
      "unshare --kill-child rm -rf /", "unshare -S 0 -G 0 rm -rf /", "unshare --setuid=0 -- rm -rf /",
      "nsenter -t 1 -m rm -rf /", "nsenter -t1 -a rm -rf /", "nsenter -at 1 rm -rf /",
      "nsenter --target 1 --mount --uts rm -rf /", "nsenter --target=1 -r rm -rf /", "nsenter -t 1 -r/ -w/ rm -rf /",
      "nsenter -S 0 -G 0 -t 1 rm -rf /", "nsenter -N 3 -n rm -rf /", "nsenter -mt rm -rf /",
      "nsenter -t 1 -m git push", "nsenter --wdns=/srv -W/srv rm -rf /"})
  void unshareAndNsenterRunTheCommandAfterTheirOptions(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chrt -f 10 rm -rf /", "chrt 0 rm -rf /", "chrt -o 0 -- rm -rf /", "chrt --fifo 10 rm -rf /",
      "chrt -b rm -rf /", "chrt -d -T 1000 -P 2000 0 rm -rf /", "chrt --sched-runtime 1000 -d 0 rm -rf /",
      "chrt -p 0 rm -rf / 0", "chrt -o -p 0 rm 0", "chrt -p 0 rm -rf / +0", "chrt -p 0 rm -rf / $PID"})
  void chrtRunsTheCommandAfterItsPriority(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"script -qc 'rm -rf /' /dev/null", "script -c 'rm -rf /'",
      "script --command 'ls; rm -rf /' log", "script --command='rm -rf /'", "script -c'rm -rf /'",
      "script /dev/null -c 'rm -rf /'", "script -q -- rm -rf /",
      "script log -- rm -rf /", "script --comm 'rm -rf /'", "script -O log -qc 'rm -rf /'", "script -t -c 'rm -rf /'",
      "script -O -- -c 'rm -rf /'"})
  void scriptRunsItsCommandThroughAShell(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"runuser -u root -- rm -rf /", "runuser -u root rm x", "runuser --user=root -- rm -rf /",
      "runuser -g wheel -u root -- rm -rf /", "runuser -l root -c 'rm -rf /'", "runuser root -c 'rm -rf /'",
      "runuser -c 'rm -rf /' root", "runuser -lc 'rm -rf /' root", "runuser -s /bin/rm root -- -rf /",
      "su -lc 'rm -rf /' root", "su -c'rm -rf /'", "su --command='rm -rf /' root",
      "su --session-command 'rm -rf /' root", "su - root -c 'rm -rf /'", "su -s /bin/rm root -- -rf /",
      "su root -- -c 'rm -rf /'"})
  void runuserAndSuRunTheirCommand(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chrt -p 1234", "chrt -f -p 10 1234", "chrt -p 10 rm 1234", "chrt -f -p 10 $PID", "chrt -m",
      "chrt -f 10 ls", "unshare -r ls", "unshare", "nsenter -t 1 -m ls -l", "nsenter -t 1 -a", "script -q /dev/null",
      "script -c ls /dev/null", "script -c 'echo rm' log", "script -tc 'rm -rf /'", "runuser -u nobody -- ls",
      "su - postgres -c psql", "su root", "runuser -l app"})
  void theseWrappersRunningNoDeniedCommandAreNotDenied(String command) {
    assertEquals(Reading.Result.NO_MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"nsenter -W /srv -t 1 rm -rf /", "unshare -m/run/ns/mnt rm -rf /", "unshare --bogus rm -rf /",
      "unshare -x rm -rf /", "unshare --map-u 0 rm -rf /", "unshare $OPTS rm -rf /", "script -c ls \"$LOG\"",
      "script -c \"$CMD\"", "su \"$WHO\" -c ls", "runuser -u root -- $CMD", "chrt -f $PRIO rm -rf /"})
  void anOptionWordWhoseMeaningCannotBeToldIsUninterpretable(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"nice --adj 5 rm -rf /", "nice --a 5 rm -rf /", "nice -5 rm -rf /", "nice --10 rm -rf /",
      "nice -n 5 -3 rm -rf /", "nice -n5 -- rm -rf /"})
  void niceRunsTheCommandAfterItsAdjustmentAndOptions(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"timeout --sig KILL 5 rm -rf /", "timeout --kill 1 5 rm -rf /",
      "timeout -fs KILL 5 rm -rf /", "timeout --preserve -k1 5 rm -rf /", "stdbuf --out L rm -rf /",
      "stdbuf -oL -eL rm -rf /", "chroot --user bob /srv rm -rf /", "chroot --g wheel /srv rm -rf /",
      "chroot --skip / rm -rf /", "chroot --userspec=bob / rm -rf /"})
  void timeoutStdbufAndChrootReadTheirOptionsAsGetoptLongDoes(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"env --uns HOME rm -rf /", "env --ch /tmp rm -rf /", "env -a sh rm -rf /",
      "env --argv0 sh rm -rf /", "env --env0-from vars rm -rf /", "env --split 'rm -rf x'", "env -S '-i rm -rf x'",
      "env -S'-u HOME' rm -rf /", "env -S 'FOO=1' rm -rf /", "env a-b=1 rm -rf /", "env /x=1 rm -rf /",
      "env - rm -rf /", "env -i -- FOO=1 rm -rf /", "env -S 'git' push", "env FOO=\"$X\" rm -rf /"})
  void envReadsItsOptionsVariablesAndSplitStringAsEnvDoes(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sudo -c staff rm -rf /", "sudo --login-class staff rm -rf /", "sudo -a skey rm -rf /",
      "sudo --auth-type skey rm -rf /", "sudo --us root rm -rf /", "sudo --chr /srv rm -rf /",
      "sudo --close 3 rm -rf /", "sudo a-b=1 rm -rf /", "sudo ./x=1 rm -rf /", "sudo FOO=1 -u root rm -rf /",
      "sudo FOO=\"$X\" rm -rf /", "sudo -h host rm -rf /", "sudo -hhost rm -rf /", "sudo --host host rm -rf /",
      "sudo -D /tmp rm -rf /", "sudo -Eu root -- rm -rf /", "sudo -- FOO=1 rm -rf /", "doas -u root rm -rf /",
      "doas -nu root -- rm -rf /"})
  void sudoAndDoasReadTheirOptionsAndVariablesAsTheyDo(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"xargs -iI rm -rf I < list", "xargs -eE rm -rf x < list", "xargs --max-a 1 rm < list",
      "xargs --delim , rm < list", "xargs --max-p 2 rm < list", "xargs --process 2 rm < list", "xargs --arg list rm",
      "xargs -0 -- rm < list", "xargs -I% rm % < list"})
  void xargsReadsItsOptionsAsGetoptLongDoes(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"xargs git < list", "xargs -0 git < list", "xargs -I{} git {} < list", "xargs env < list",
      "xargs timeout 5 < list", "xargs nice < list", "xargs sudo < list", "xargs -I% sh -c 'echo %' < list",
      "xargs -I \"$R\" git x$R < list"})
  void theWordsXargsAppendsFromItsInputAreExpanded(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ionice --classd 7 rm -rf /", "ionice -c3 rm -rf /", "taskset -c 0 rm -rf /",
      "taskset --cpu-list 0-3 rm -rf /", "watch --int 1 'rm -rf x'", "watch --equ 1 'rm -rf x'",
      "watch -s /tmp 'rm -rf x'", "watch -xn 1 rm -rf x", "watch -n1 -x -- rm -rf x", "flock --time 5 lock rm -rf /",
      "flock --conf 1 lock rm -rf /", "flock --start 0 lock rm -rf /", "flock --fd=3 rm -rf /",
      "flock --fd 3 rm -rf /", "flock --fd 3 -c 'rm -rf /'", "time -o log rm -rf /", "/usr/bin/time -f %e rm -rf /",
      "command time --output log rm -rf /", "time -p rm -rf /", "exec -la name rm -rf /", "exec -ca name rm -rf /"})
  void utilLinuxProcpsAndTimeWrappersReadTheirOptionsAsGetoptLongDoes(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bash -eo pipefail -c 'rm -rf /'", "bash -co errexit 'rm -rf /'",
      "sh -xo nounset -c 'rm -rf /'", "bash -xO extglob -c 'rm -rf /'", "bash +eo posix -c 'rm -rf /'",
      "bash -oo errexit pipefail -c 'rm -rf /'", "bash -o errexit -c 'rm -rf /'"})
  void aShellsOptionTakingAWordInsideAClusterTakesIt(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"find /bin -name rm -exec {} -rf / \\;", "find . -exec git {} \\;",
      "find . -exec sh -c 'rm {}' \\;", "find . -execdir sh -c 'x{}' \\;", "find . -ok /bin/{} \\;"})
  void theFileNameFindPutsInPlaceOfBracesIsAnExpandedWord(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"nice --bogus 5 rm -rf /", "nice -x rm -rf /", "nice $N rm -rf /", "timeout --v 5 rm -rf /",
      "timeout --bogus 5 rm -rf /", "timeout $T rm -rf /", "env --i rm -rf /", "env --de rm -rf /", "env -x rm -rf /",
      "env $OPTS rm -rf /", "env -S 'git' $X", "stdbuf -x rm -rf /", "chroot --bogus / rm -rf /",
      "sudo --ch /srv rm -rf /", "sudo --pre rm -rf /", "sudo -X rm -rf /", "sudo $OPTS rm -rf /", "doas -X rm -rf /",
      "xargs -X rm < list", "xargs --max 1 rm < list", "xargs -v rm < list", "watch --bogus 'rm -rf x'",
      "flock --bogus lock rm -rf /", "ionice --cl 3 rm -rf /", "time --bogus rm -rf /", "exec -x rm -rf /",
      "bash $X 'rm -rf /'", "sh -e \"$OPT\" 'rm -rf /'"})
  void anOptionAnOlderWrapperIsNotKnownToTakeIsUninterpretable(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"nice -n 5 ls", "nice -5 make", "nice --adjustment=5 ls", "nice ls", "nice",
      "timeout 5s make test", "timeout -k 5 10 make", "timeout --signal=KILL 5 ls", "timeout -s INT 1m ./run.sh",
      "env FOO=1 python x.py", "env -i PATH=/bin ls", "env -u HOME ls", "env -S 'ls -la'", "env", "env -0",
      "env PATH=\"$PATH:/opt/bin\" make", "stdbuf -oL tail -f log", "chroot /srv ls",
      "chroot --userspec=bob:bob /srv ls", "chroot /srv", "sudo -u bob ls", "sudo -E make install", "sudo FOO=1 ls",
      "sudo -i", "sudo -- ls", "sudo -l", "sudo -h", "sudo -u bob -h host ls", "sudo --preserve-env=PATH make",
      "doas -u bob ls", "xargs -0 grep foo", "xargs -n 1 echo", "xargs -I{} cp {} /tmp", "xargs -P 4 -n 1 gzip",
      "xargs", "xargs -i mv {} {}.bak", "xargs sh -c 'ls \"$@\"' _", "ionice -c 3 make", "ionice -c2 -n7 ls",
      "ionice -c 3 -p 1234", "taskset -c 0,1 make", "taskset -p 1234", "taskset -p 0x3 rm", "watch -n 1 ls",
      "watch -d 'ls -l'", "watch -x ls -l", "flock /tmp/lock make", "flock -n /tmp/lock -c 'make test'", "flock 3",
      "time -p make", "/usr/bin/time -v make", "exec -a name ls", "bash -eo pipefail -c 'ls | wc -l'",
      "bash -o pipefail -c ls", "bash ./build.sh", "sh -e ./x.sh \"$ARG\"",
      "find . -name '*.py' -exec grep -l foo {} +", "find . -exec sh -c 'echo \"$1\"' _ {} \\;"})
  void ordinaryUsesOfTheOlderWrappersAreNotDenied(String command) {
    assertEquals(Reading.Result.NO_MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  /** An unquoted expansion in a wrapper's words may become several words (or none), moving where its command begins. */
  @ParameterizedTest
  @ValueSource(strings = {"U='root rm'; sudo -u $U -rf /", "sudo -u $U -rf /", "sudo -u `echo root rm` -rf /",
      "sudo -u $(echo root rm) -rf /", "timeout -s $S 5 ls", "env -u $V ls", "chroot --userspec=$U /srv ls",
      "xargs -n $N ls", "stdbuf -o $M ls", "doas -u $U ls", "ionice -c $C ls", "flock -w $W /tmp/l ls",
      "sudo -u {root,rm} -rf /", "env FOO=$X rm -rf /", "sudo FOO=$X rm -rf /", "watch -n $N rm",
      "flock -w $W /tmp/l rm"})
  void anUnquotedExpansionAmongAWrappersWordsIsUninterpretable(String command) {
    assertEquals(Reading.Result.UNINTERPRETABLE, denyRm(command).result(),
        command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sudo -u \"$U\" ls", "timeout -s \"$S\" 5 ls", "env -u \"$V\" ls", "xargs -n \"$N\" ls",
      "sudo -u bob ls $X", "nice -n 5 ls $(pwd)", "sudo ls *.txt"})
  void aQuotedExpansionOrOneAfterTheCommandIsRead(String command) {
    assertEquals(Reading.Result.NO_MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"runuser -u root git -l push", "runuser -u root -- git push", "su -c 'git push' root",
      "nice -n 5 git push", "sudo -u root git push", "timeout 5 git push", "env -S 'git' push", "xargs -0 git push"})
  void theOptionsAWrapperTakesDoNotSplitAPrefixOfSeveralWords(String command) {
    assertEquals(Reading.Result.MATCH, denyRm(command).result(), command + " -> " + denyRm(command).account());
  }

  @Test
  void anArgvArrayIsOneCommandWithoutAShell() {
    Reading r = DENIED.read(new ArgumentValue(ArgumentValue.Kind.ARRAY, "[]", List.of("/bin/rm", "-rf", "/")), true);
    assertEquals(Reading.Result.MATCH, r.result());
    Reading literal = DENIED.read(new ArgumentValue(ArgumentValue.Kind.ARRAY, "[]", List.of("echo", "; rm -rf /")),
        true);
    assertEquals(Reading.Result.NO_MATCH, literal.result(), "no shell, so ; is data");
    Reading wrapped = DENIED.read(new ArgumentValue(ArgumentValue.Kind.ARRAY, "[]",
        List.of("bash", "-c", "ls; rm -rf /")), true);
    assertEquals(Reading.Result.MATCH, wrapped.result());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiterString = "=>", value = {
      "ls -la => true", "git status => true", "ls; cat x => true", "ls; rm -rf / => false", "env ls => false",
      "bash -c ls => false", "ls $(rm x) => false", "cat x | grep y => false", "true => false"})
  void anAllowRuleNeedsEveryCommandToBeAllowed(String command, boolean allowed) {
    Reading r = ALLOWED.read(ArgumentValue.string(command), false);
    assertEquals(allowed, r.matchesFor(false), command + " -> " + r.account());
  }

  @Test
  void theReadingShowsTheCommandsFound() {
    assertEquals("runs [bash -c ls; rm -rf /] | [ls] | [rm -rf /]; [rm -rf /] begins with a prefix of "
        + "[rm, sudo, git push, curl]", deny("bash -c 'ls; rm -rf /'").account());
  }
}
