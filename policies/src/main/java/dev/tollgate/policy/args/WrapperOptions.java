package dev.tollgate.policy.args;

import java.util.Map;

/**
 * The options of the wrappers {@link ShellCommand} unwraps, as each program's getopt string and long options declare
 * them, in the newest release and the union of the ones before it: an option only older releases take makes the newer
 * ones fail and run nothing, so reading it too never hides a command. None of these options changed from a flag to
 * one taking a value but those marked {@code ?}; and as options are only added, an abbreviation unique among the newest
 * options names the same option, or none, in older releases, while one that became ambiguous is uninterpretable.
 * None permutes (each option string starts with {@code +}) but {@code script}, {@code su} and {@code runuser}.
 */
final class WrapperOptions {
  private WrapperOptions() {}

  private static final Map.Entry<String, String> HELP = Map.entry("help", "");
  private static final Map.Entry<String, String> VERSION = Map.entry("version", "");

  // ---- GNU coreutils -------------------------------------------------------------------------------------------

  /** nice also takes an adjustment as an option of its own, {@code -5}, {@code --5}, {@code -+5}: see ShellCommand. */
  static final Getopt NICE = new Getopt("nice", "n:", Map.ofEntries(Map.entry("adjustment", "n:"), HELP, VERSION),
      false);
  /** {@code -f} and {@code -p} are short forms of {@code --foreground} and {@code --preserve-status} since 9.6. */
  static final Getopt TIMEOUT = new Getopt("timeout", "fk:ps:v", Map.ofEntries(Map.entry("foreground", "f"),
      Map.entry("kill-after", "k:"), Map.entry("preserve-status", "p"), Map.entry("signal", "s:"),
      Map.entry("verbose", "v"), HELP, VERSION), false);
  static final Getopt STDBUF = new Getopt("stdbuf", "i:o:e:", Map.ofEntries(Map.entry("input", "i:"),
      Map.entry("output", "o:"), Map.entry("error", "e:"), HELP, VERSION), false);
  static final Getopt CHROOT = new Getopt("chroot", "", Map.ofEntries(Map.entry("groups", ":"),
      Map.entry("userspec", ":"), Map.entry("skip-chdir", ""), HELP, VERSION), false);
  /**
   * env with {@code -a}/{@code --argv0} (9.5) and {@code --env0-from} (after 9.11); the white-space letters its option
   * string lists only to reject them are left out, so they are uninterpretable too.
   */
  static final Getopt ENV = new Getopt("env", "a:C:iS:u:v0", Map.ofEntries(Map.entry("argv0", "a:"),
      Map.entry("ignore-environment", "i"), Map.entry("env0-from", ":"), Map.entry("null", "0"),
      Map.entry("unset", "u:"), Map.entry("chdir", "C:"), Map.entry("default-signal", "::"),
      Map.entry("ignore-signal", "::"), Map.entry("block-signal", "::"), Map.entry("list-signal-handling", ""),
      Map.entry("debug", "v"), Map.entry("split-string", "S:"), HELP, VERSION), false);

  // ---- sudo, doas, GNU time, the exec builtin ---------------------------------------------------------------------

  /**
   * sudo 1.9 ({@code src/parse_args.c}); {@code -a} and {@code -c} take their value on every system and fail but on
   * BSD. {@code -h} alone may take the next word as well: see ShellCommand.
   */
  static final Getopt SUDO = new Getopt("sudo", "Aa:BbC:c:D:Eeg:Hh::iKklNnPp:R:r:SsT:t:U:u:Vv", Map.ofEntries(
      Map.entry("background", "b"), Map.entry("preserve-env", "E::"), Map.entry("edit", "e"),
      Map.entry("set-home", "H"), Map.entry("login", "i"), Map.entry("remove-timestamp", "K"), Map.entry("list", "l"),
      Map.entry("preserve-groups", "P"), Map.entry("shell", "s"), Map.entry("other-user", "U:"),
      Map.entry("validate", "v"), Map.entry("askpass", "A"), Map.entry("auth-type", "a:"), Map.entry("bell", "B"),
      Map.entry("close-from", "C:"), Map.entry("login-class", "c:"), Map.entry("chdir", "D:"), Map.entry("group", "g:"),
      Map.entry("help", "h"), Map.entry("host", ":"), Map.entry("reset-timestamp", "k"), Map.entry("no-update", "N"),
      Map.entry("non-interactive", "n"), Map.entry("prompt", "p:"), Map.entry("chroot", "R:"), Map.entry("role", "r:"),
      Map.entry("stdin", "S"), Map.entry("command-timeout", "T:"), Map.entry("type", "t:"), Map.entry("user", "u:"),
      Map.entry("version", "V")), false);
  /** OpenBSD's doas and OpenDoas ({@code -a} with BSD authentication). */
  static final Getopt DOAS = new Getopt("doas", "a:C:Lnsu:", Map.of(), false);
  /** GNU time, a superset of the shell keyword's {@code -p}. */
  static final Getopt TIME = new Getopt("time", "af:o:pqvV", Map.ofEntries(Map.entry("append", "a"),
      Map.entry("format", "f:"), Map.entry("output", "o:"), Map.entry("portability", "p"), Map.entry("quiet", "q"),
      Map.entry("verbose", "v"), Map.entry("help", "h"), Map.entry("version", "V")), false);
  /** The exec builtin of bash and zsh. */
  static final Getopt EXEC = new Getopt("exec", "cla:", Map.ofEntries(HELP), false);

  // ---- GNU findutils, procps ---------------------------------------------------------------------------------------

  /** {@code --replace} takes its value only attached, {@code -I} always, {@code -i} only attached. */
  static final Getopt XARGS = new Getopt("xargs", "0a:E:e::i::I:l::L:n:oprs:txP:d:", Map.ofEntries(
      Map.entry("null", "0"), Map.entry("arg-file", "a:"), Map.entry("delimiter", "d:"), Map.entry("eof", "e::"),
      Map.entry("replace", "I::"), Map.entry("max-lines", "l::"), Map.entry("max-args", "n:"),
      Map.entry("open-tty", "o"), Map.entry("interactive", "p"), Map.entry("no-run-if-empty", "r"),
      Map.entry("max-chars", "s:"), Map.entry("verbose", "t"), Map.entry("show-limits", "S"), Map.entry("exit", "x"),
      Map.entry("max-procs", "P:"), Map.entry("process-slot-var", ":"), Map.entry("version", "v"),
      Map.entry("help", "h")), false);
  /** procps-ng watch 4 ({@code -q}, {@code -s} and {@code -f} are new; 3.3 took only the others). */
  static final Getopt WATCH = new Getopt("watch", "bCcefd::ghq:n:prs:twvx", Map.ofEntries(Map.entry("color", "c"),
      Map.entry("no-color", "C"), Map.entry("differences", "d::"), Map.entry("help", "h"),
      Map.entry("interval", "n:"), Map.entry("beep", "b"), Map.entry("errexit", "e"), Map.entry("follow", "f"),
      Map.entry("chgexit", "g"), Map.entry("equexit", "q:"), Map.entry("exec", "x"), Map.entry("precise", "p"),
      Map.entry("no-rerun", "r"), Map.entry("shotsdir", "s:"), Map.entry("no-title", "t"), Map.entry("no-wrap", "w"),
      Map.entry("version", "v")), false);

  // ---- util-linux, as in 2.42 and its successor (a superset of earlier releases) -----------------------------------

  /**
   * flock: {@code -c}/{@code --command} among the options (with {@code --fd}) is read here, as flock reads it when
   * getopt rejects it; {@code --fd} was a flag in the release that added it and takes a value since, which leaves
   * the command where it was ({@code flock --fd 3 CMD}).
   */
  static final Getopt FLOCK = new Getopt("flock", "sexnoFuw:E:hVc", Map.ofEntries(Map.entry("shared", "s"),
      Map.entry("exclusive", "x"), Map.entry("unlock", "u"), Map.entry("nonblocking", "n"), Map.entry("nb", "n"),
      Map.entry("timeout", "w:"), Map.entry("wait", "w:"), Map.entry("conflict-exit-code", "E:"),
      Map.entry("close", "o"), Map.entry("no-fork", "F"), Map.entry("verbose", ""), Map.entry("fcntl", ""),
      Map.entry("start", ":"), Map.entry("length", ":"), Map.entry("fd", ":"), Map.entry("command", "c"),
      Map.entry("help", "h"), Map.entry("version", "V")), false);
  static final Getopt IONICE = new Getopt("ionice", "c:n:p:P:u:tVh", Map.ofEntries(Map.entry("classdata", "n:"),
      Map.entry("class", "c:"), Map.entry("help", "h"), Map.entry("ignore", "t"), Map.entry("pid", "p:"),
      Map.entry("pgid", "P:"), Map.entry("uid", "u:"), Map.entry("version", "V")), false);
  static final Getopt TASKSET = new Getopt("taskset", "apchV", Map.ofEntries(Map.entry("all-tasks", "a"),
      Map.entry("pid", "p"), Map.entry("cpu-list", "c"), Map.entry("help", "h"), Map.entry("version", "V")), false);
  static final Getopt UNSHARE = new Getopt("unshare", "fhVmuinpCTUrR:w:S:G:cl:",
      Map.ofEntries(Map.entry("help", "h"), Map.entry("version", "V"), Map.entry("mount", "m::"),
      Map.entry("uts", "u::"), Map.entry("ipc", "i::"), Map.entry("net", "n::"), Map.entry("pid", "p::"),
      Map.entry("user", "U::"), Map.entry("cgroup", "C::"), Map.entry("time", "T::"), Map.entry("fork", "f"),
      Map.entry("kill-child", "::"), Map.entry("forward-signals", ""), Map.entry("mount-proc", "::"),
      Map.entry("mount-binfmt", "::"), Map.entry("map-user", ":"), Map.entry("map-users", ":"),
      Map.entry("map-group", ":"), Map.entry("map-groups", ":"), Map.entry("map-root-user", "r"),
      Map.entry("map-current-user", "c"), Map.entry("map-auto", ""), Map.entry("map-subids", ""),
      Map.entry("owner", ":"), Map.entry("propagation", ":"), Map.entry("setgroups", ":"), Map.entry("keep-caps", ""),
      Map.entry("setuid", "S:"), Map.entry("setgid", "G:"), Map.entry("root", "R:"), Map.entry("wd", "w:"),
      Map.entry("monotonic", ":"), Map.entry("boottime", ":"), Map.entry("load-interp", "l:"),
      Map.entry("clear-env", ""), Map.entry("whitelist-env", ":")), false);
  /** nsenter's {@code -W} took the next word as its value in 2.38 only; an attached one since. */
  static final Getopt NSENTER = new Getopt("nsenter", "ahVt:m::u::i::n::N:p::C::U::T::S:G:r::w::W?ecFZ",
      Map.ofEntries(Map.entry("all", "a"), Map.entry("help", "h"), Map.entry("version", "V"), Map.entry("target", "t:"),
      Map.entry("mount", "m::"), Map.entry("uts", "u::"), Map.entry("ipc", "i::"), Map.entry("net", "n::"),
      Map.entry("net-socket", "N:"), Map.entry("pid", "p::"), Map.entry("user", "U::"), Map.entry("cgroup", "C::"),
      Map.entry("time", "T::"), Map.entry("setuid", "S:"), Map.entry("setgid", "G:"), Map.entry("root", "r::"),
      Map.entry("wd", "w::"), Map.entry("wdns", "W::"), Map.entry("env", "e"), Map.entry("no-fork", "F"),
      Map.entry("join-cgroup", "c"), Map.entry("preserve-credentials", ""), Map.entry("keep-caps", ""),
      Map.entry("user-parent", ""), Map.entry("follow-context", "Z")), false);
  static final Getopt CHRT = new Getopt("chrt", "abdD:efiphmoOP:T:rRU:X:GvV", Map.ofEntries(
      Map.entry("all-tasks", "a"), Map.entry("batch", "b"), Map.entry("clamp-min", "U:"), Map.entry("clamp-max", "X:"),
      Map.entry("deadline", "d"), Map.entry("deadline-overrun", "O"), Map.entry("ext", "e"), Map.entry("fifo", "f"),
      Map.entry("idle", "i"), Map.entry("pid", "p"), Map.entry("help", "h"), Map.entry("max", "m"),
      Map.entry("other", "o"), Map.entry("rr", "r"), Map.entry("sched-runtime", "T:"), Map.entry("sched-period", "P:"),
      Map.entry("sched-deadline", "D:"), Map.entry("reset-on-fork", "R"), Map.entry("reclaim-grub", "G"),
      Map.entry("verbose", "v"), Map.entry("version", "V")), false);
  static final Getopt SCRIPT = new Getopt("script", "aB:c:eE:fI:O:o:qm:T:t::Vh",
      Map.ofEntries(Map.entry("append", "a"), Map.entry("command", "c:"), Map.entry("echo", "E:"),
      Map.entry("return", "e"), Map.entry("flush", "f"), Map.entry("force", ""), Map.entry("log-in", "I:"),
      Map.entry("log-out", "O:"), Map.entry("log-io", "B:"), Map.entry("log-timing", "T:"),
      Map.entry("logging-format", "m:"), Map.entry("output-limit", "o:"), Map.entry("quiet", "q"),
      Map.entry("timing", "t::"), Map.entry("version", "V"), Map.entry("help", "h")), true);
  /** su and runuser share their options; {@code -u} is runuser's. */
  static final Getopt SU = new Getopt("su", "c:fg:G:lmpPTs:u:hVw:", Map.ofEntries(Map.entry("command", "c:"),
      Map.entry("session-command", "C:"), Map.entry("fast", "f"), Map.entry("login", "l"),
      Map.entry("preserve-environment", "p"), Map.entry("pty", "P"), Map.entry("no-pty", "T"), Map.entry("shell", "s:"),
      Map.entry("group", "g:"), Map.entry("supp-group", "G:"), Map.entry("user", "u:"),
      Map.entry("whitelist-environment", "w:"), Map.entry("help", "h"), Map.entry("version", "V")), true);
}
