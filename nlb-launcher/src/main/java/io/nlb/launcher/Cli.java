package io.nlb.launcher;

import io.nlb.core.NlbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code nlb} command line (picocli): {@code nlb run CONFIG}, {@code nlb validate CONFIG},
 * {@code --help}, {@code --version}. {@code nlb CONFIG} is kept as a short form of {@code run}.
 *
 * <p>Exit codes: {@value #OK} after a clean stop or a valid file; {@value #BAD_CONFIG} for a bad
 * file or bad usage (nothing bound); {@value #FAILED} when start-up failed at run time (a port
 * taken, a status port unavailable).
 */
final class Cli {
  private static final Logger log = LoggerFactory.getLogger(Cli.class);
  /** A clean stop, or a file without problems. */
  static final int OK = 0;
  /** Start-up failed at run time. */
  static final int FAILED = 1;
  /** A bad file or bad usage; nothing was bound. */
  static final int BAD_CONFIG = 2;
  private static final Set<String> SUBCOMMANDS = Set.of("run", "validate", "help");

  private Cli() {}

  /**
   * Parses {@code args} and runs the command; {@code stop} ends {@code run} (the JVM's shutdown
   * hook counts it down too).
   */
  static int execute(String[] args, CountDownLatch stop, PrintWriter out, PrintWriter err) {
    String[] effective = args;
    if (args.length == 1 && !args[0].startsWith("-") && !SUBCOMMANDS.contains(args[0])) {
      effective = new String[] {"run", args[0]}; // the original form: nlb CONFIG
    }
    Path file = plainRun(effective);
    if (file != null) {
      return run(file, stop, err);
    }
    return parseAndExecute(effective, stop, out, err);
  }

  /**
   * The file of {@code run FILE} with no option (the daemon's own start: {@code bin/nlb run FILE},
   * {@code java -jar nlb-launcher.jar FILE}), or null for every other command line. That form runs
   * without picocli: building its command model loads about 180 classes and allocates enough to
   * keep about 6 MiB more resident for the life of the process, measured on the executable jar
   * (docs/performance.md). A word starting with {@code -} (an option) or {@code @} (picocli's
   * argument file) goes through picocli, as does a path the file system refuses (its usage error).
   */
  static @Nullable Path plainRun(String[] args) {
    if (args.length != 2 || !args[0].equals("run") || args[1].isEmpty() || args[1].startsWith("-") || args[1].startsWith("@")) {
      return null;
    }
    try {
      return Path.of(args[1]);
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  /** {@code run FILE} as the {@code run} command does it, with the default size limit. */
  private static int run(Path file, CountDownLatch stop, PrintWriter err) {
    try {
      return Launcher.runFile(file, LauncherConfig.DEFAULT_MAX_FILE_BYTES, stop, err);
    } catch (InterruptedException e) {
      err.println(e.toString()); // as picocli's execution exception handler below
      return FAILED;
    } finally {
      err.flush();
    }
  }

  private static int parseAndExecute(String[] effective, CountDownLatch stop, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Root())
        .addSubcommand("run", new Run(stop, err))
        .addSubcommand("validate", new Validate(out, err))
        .addSubcommand("help", new CommandLine.HelpCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println(e.toString());
      err.flush();
      return FAILED;
    });
    int code = cli.execute(effective);
    out.flush();
    err.flush();
    return code;
  }

  /** {@code nlb-launcher <version>} from the build, or {@code unknown} when run from classes without it. */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      log.debug("version.properties", e);
    }
    return p.getProperty("version", "unknown");
  }

  @Command(name = "nlb", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = {"Runs the embeddable network load balancer as a daemon, from a YAML or JSON configuration file.",
          "`nlb CONFIG` is short for `nlb run CONFIG`."},
      synopsisSubcommandLabel = "COMMAND",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:clean stop (run), or a valid file (validate)",
          "1:start-up failed at run time (a port taken, a status port unavailable)",
          "2:bad configuration file or bad usage; nothing was bound"})
  static final class Root implements Callable<Integer> {
    @Spec @Nullable CommandSpec spec;

    @Override
    public Integer call() {
      CommandSpec s = spec;
      if (s != null) {
        s.commandLine().getErr().println("Missing command (expected: run CONFIG or validate CONFIG; see --help)");
        s.commandLine().usage(s.commandLine().getErr());
      }
      return BAD_CONFIG;
    }
  }

  /** The version line: the launcher's, Netty's and the JVM's. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      io.netty.util.@Nullable Version common = io.netty.util.Version.identify().get("netty-common");
      String netty = common == null ? "unknown" : common.artifactVersion();
      return new String[] {"nlb-launcher " + version() + " (Netty " + netty + ", Java " + Runtime.version() + ")"};
    }
  }

  /** The configuration file argument and its size limit, shared by {@code run} and {@code validate}. */
  static final class ConfigFile {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "the configuration file (.yaml, .yml or .json)")
    Path config = Path.of("");

    @Option(names = "--max-config-bytes", paramLabel = "BYTES", defaultValue = "1048576",
        description = "refuse a configuration file larger than this, unread (default: ${DEFAULT-VALUE}, 1 MiB)")
    long maxConfigBytes = LauncherConfig.DEFAULT_MAX_FILE_BYTES;
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Runs the load balancers CONFIG describes until SIGTERM or Ctrl-C; SIGHUP or an edit of the file reloads it."},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:clean stop", "1:start-up failed at run time", "2:bad configuration file or usage; nothing was bound"})
  static final class Run implements Callable<Integer> {
    private final CountDownLatch stop;
    private final PrintWriter err;

    @Mixin
    ConfigFile file = new ConfigFile();

    Run(CountDownLatch stop, PrintWriter err) {
      this.stop = stop;
      this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
      return Launcher.runFile(file.config, file.maxConfigBytes, stop, err);
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = {"Checks CONFIG and reports every problem, each with its path in the file; binds nothing."},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:the file is valid", "2:the file has problems (one line each on standard error), or bad usage"})
  static final class Validate implements Callable<Integer> {
    private final PrintWriter out;
    private final PrintWriter err;

    @Mixin
    ConfigFile file = new ConfigFile();

    Validate(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() {
      LauncherConfig c = Launcher.readConfig(file.config, file.maxConfigBytes, err);
      if (c == null) {
        return BAD_CONFIG;
      }
      int listeners = c.loadBalancers().stream().mapToInt(lb -> lb.listeners().size()).sum();
      out.println(file.config + ": ok (" + c.loadBalancers().size() + " load balancers, " + listeners + " listeners, " + c.groups().size()
          + " target groups)");
      return OK;
    }
  }

  /** Problems the control plane finds at start, one line each. */
  static void print(NlbException e, PrintWriter err) {
    e.problems().forEach(p -> err.println(e.code().apiName() + ": " + p));
  }
}
