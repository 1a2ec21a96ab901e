package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.core.NlbException;
import io.nlb.tls.PemCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The walk over the launcher's configuration tree that every section shares: typed reads of
 * values that record a problem (with its path) instead of stopping at the first, builder steps
 * whose refusals become problems at their path, unknown-key checks against the key table
 * ({@link ConfigKeys}), and PEM files read with a bound.
 *
 * <p>Not thread-safe: one instance serves one parse, on one thread.
 */
final class ConfigParser {
  /** A certificate chain or key file larger than this is refused unread. */
  static final int MAX_PEM_BYTES = 1 << 20;

  final List<String> problems = new ArrayList<>();
  /** The names under targetGroups, for the listeners' references. */
  final Set<String> groupNames = new java.util.LinkedHashSet<>();
  /** Relative file paths in the configuration resolve against this directory. */
  final Path baseDir;

  ConfigParser(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** Runs a builder step; a refusal becomes a problem prefixed with the file path. */
  <T> @Nullable T attempt(String path, Supplier<T> step) {
    try {
      return step.get();
    } catch (NlbException e) {
      for (String problem : e.problems()) {
        problems.add(problem(path, problem));
      }
    } catch (IllegalArgumentException e) {
      problems.add(problem(path, String.valueOf(e.getMessage())));
    }
    return null;
  }

  void allowOnly(String path, JsonNode node, Set<String> keys) {
    unknownKeys(path, node, keys, problems);
  }

  /**
   * Adds a problem to {@code problems} for every key of the mapping {@code node} (at {@code path},
   * empty for the root) that is not one of {@code keys}.
   */
  static void unknownKeys(String path, JsonNode node, Set<String> keys, List<String> problems) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!keys.contains(n)) {
        problems.add((path.isEmpty() ? "" : path + ".") + key(n) + ": unknown key (expected: one of " + new java.util.TreeSet<>(keys) + ")");
      }
    }
  }

  /**
   * Whether {@code node} is a mapping; if not, records {@code "path: TYPE (expected: what)"}. Keys
   * of a mapping that are not among {@code keys} are recorded as unknown.
   */
  boolean mapping(String path, JsonNode node, Set<String> keys, String expected) {
    return mapping(path, node, keys, expected, problems);
  }

  /** {@link #mapping(String, JsonNode, Set, String)} for the settings parsed without a parser. */
  static boolean mapping(String path, JsonNode node, Set<String> keys, String expected, List<String> problems) {
    if (!node.isObject()) {
      problems.add(path + ": " + node.getNodeType() + " (expected: " + expected + ")");
      return false;
    }
    unknownKeys(path, node, keys, problems);
    return true;
  }

  /** The optional value {@code key} of {@code node} as text, given to {@code step} as a builder step at its path. */
  void optionalText(String path, JsonNode node, String key, Consumer<String> step) {
    String value = text(path + "." + key, node.get(key), false);
    if (value != null) {
      step(path + "." + key, () -> step.accept(value));
    }
  }

  /** The optional value {@code key} of {@code node} as a whole number, given to {@code step} as a builder step. */
  void optionalInteger(String path, JsonNode node, String key, Consumer<Integer> step) {
    Integer value = integer(path + "." + key, node.get(key), false);
    if (value != null) {
      step(path + "." + key, () -> step.accept(value));
    }
  }

  /** Each entry of the optional mapping {@code key} of {@code node} ({@code attributes}, {@code tags}) as a builder step. */
  void entries(String path, JsonNode node, String key, BiConsumer<String, String> step) {
    map(path + "." + key, node.get(key)).forEach((k, v) -> step(path + "." + key + "." + key(k), () -> step.accept(k, v)));
  }

  /** A builder step whose result is not needed; a refusal becomes a problem at {@code path}. */
  void step(String path, Runnable step) {
    attempt(path, () -> {
      step.run();
      return path;
    });
  }

  /**
   * Each element of the optional list {@code node} at {@code path} as text, given to {@code step} as
   * a builder step at the element's path.
   */
  void eachText(String path, @Nullable JsonNode node, Consumer<String> step) {
    each(path, node, (p, n) -> {
      String value = text(p, n, true);
      if (value != null) {
        step(p, () -> step.accept(value));
      }
      return value;
    });
  }

  /**
   * The builder {@code start} makes from the required {@code name} of the mapping {@code node}
   * (checked as {@link #mapping} checks it); null after recording why there is none.
   */
  <B> @Nullable B named(String path, JsonNode node, Set<String> keys, String expected, Function<String, B> start) {
    if (!mapping(path, node, keys, expected)) {
      return null;
    }
    String name = text(path + ".name", node.get("name"), true);
    return name == null ? null : attempt(path + ".name", () -> start.apply(name));
  }

  /** Reads one element of a list; null after recording why it is refused. */
  interface Element<T> {
    @Nullable T read(String path, JsonNode node);
  }

  /** The elements of the optional list {@code node} at {@code path} that {@code element} accepts, in order. */
  <T> List<T> each(String path, @Nullable JsonNode node, Element<T> element) {
    List<T> out = new ArrayList<>();
    if (node != null && list(path, node)) {
      for (int i = 0; i < node.size(); i++) {
        T value = element.read(path + "[" + i + "]", node.get(i));
        if (value != null) {
          out.add(value);
        }
      }
    }
    return out;
  }

  boolean list(String path, @Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isArray()) {
      problems.add(path + ": " + node.getNodeType() + " (expected: a list)");
      return false;
    }
    return true;
  }

  @Nullable String text(String path, @Nullable JsonNode node, boolean required) {
    if (node == null || node.isNull()) {
      if (required) {
        problems.add(path + ": missing (expected: a value)");
      }
      return null;
    }
    if (!node.isValueNode()) {
      problems.add(path + ": " + node.getNodeType() + " (expected: a single value)");
      return null;
    }
    return node.asText();
  }

  @Nullable Integer integer(String path, @Nullable JsonNode node, boolean required) {
    String t = text(path, node, required);
    if (t == null) {
      return null;
    }
    try {
      return Integer.parseInt(t.trim());
    } catch (NumberFormatException e) {
      problems.add(path + ": \"" + t + "\" (expected: a whole number)");
      return null;
    }
  }

  boolean bool(String path, @Nullable JsonNode node, boolean dflt) {
    String t = text(path, node, false);
    if (t == null) {
      return dflt;
    }
    if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
      problems.add(path + ": \"" + t + "\" (expected: true or false)");
      return dflt;
    }
    return Boolean.parseBoolean(t);
  }

  Map<String, String> map(String path, @Nullable JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      problems.add(path + ": " + node.getNodeType() + " (expected: a mapping of keys to values)");
      return out;
    }
    node.fields().forEachRemaining(e -> {
      String v = text(path + "." + key(e.getKey()), e.getValue(), true);
      if (v != null) {
        out.put(e.getKey(), v);
      }
    });
    return out;
  }

  /** {@code {certificateChain: chain.pem, privateKey: key.pem}}, both read and checked now. */
  @Nullable PemCertificate certificate(String path, JsonNode node) {
    if (!mapping(path, node, ConfigKeys.CERTIFICATE.names(), "a mapping such as {certificateChain: chain.pem, privateKey: key.pem}")) {
      return null;
    }
    String chainFile = text(path + ".certificateChain", node.get("certificateChain"), true);
    String keyFile = text(path + ".privateKey", node.get("privateKey"), true);
    String chain = chainFile == null ? null : pemFile(path + ".certificateChain", chainFile);
    String key = keyFile == null ? null : pemFile(path + ".privateKey", keyFile);
    if (chain == null || key == null) {
      return null;
    }
    try {
      return PemCertificate.parse(chain, key);
    } catch (IllegalArgumentException e) {
      // PemCertificate names the part it refused ("certificateChain: ..." or "privateKey: ..."):
      // attach that to the key in the file and say which file it was.
      String message = String.valueOf(e.getMessage());
      for (String part : List.of("certificateChain", "privateKey")) {
        if (message.startsWith(part + ": ")) {
          String file = part.equals("privateKey") ? keyFile : chainFile;
          problems.add(path + "." + part + ": \"" + file + "\": " + message.substring(part.length() + 2));
          return null;
        }
      }
      problems.add(path + ": " + message);
      return null;
    }
  }

  /** The text of a PEM file, or null after recording why it cannot be read. */
  @Nullable String pemFile(String path, String name) {
    String expected = " (expected: a readable PEM file; relative paths resolve against " + baseDir.toAbsolutePath() + ")";
    Path file;
    try {
      file = baseDir.resolve(name);
    } catch (java.nio.file.InvalidPathException e) {
      problems.add(path + ": \"" + name + "\": " + e.getReason() + expected);
      return null;
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      problems.add(path + ": \"" + name + "\"" + expected);
      return null;
    }
    try (java.io.InputStream in = Files.newInputStream(file)) {
      // Bounded: a path such as /proc/kcore is a "regular file" far too large to hold.
      byte[] bytes = in.readNBytes(MAX_PEM_BYTES + 1);
      if (bytes.length > MAX_PEM_BYTES) {
        problems.add(path + ": \"" + name + "\": larger than " + (MAX_PEM_BYTES >> 10) + " KiB (expected: a PEM file of at most "
            + (MAX_PEM_BYTES >> 10) + " KiB)");
        return null;
      }
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      problems.add(path + ": \"" + name + "\": " + e.getMessage() + expected);
      return null;
    }
  }

  private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_.\\-]*): (.*)",
      java.util.regex.Pattern.DOTALL);
  /** The builders name their argument after the type ({@code listener.port}); the file's section for each. */
  private static final Map<String, ConfigKeys.Section> BUILDER_PREFIXES = Map.of("targetGroup", ConfigKeys.TARGET_GROUP,
      "loadBalancer", ConfigKeys.LOAD_BALANCER, "listener", ConfigKeys.LISTENER, "zone", ConfigKeys.ZONE, "target", ConfigKeys.TARGET);

  /**
   * A builder's refusal ({@code "listener.port: 0 (expected: 1-65535)"}) as a problem at {@code
   * path} in the file, without saying the field twice: {@code
   * "loadBalancers[0].listeners[0].port: 0 (expected: 1-65535)"}. A message naming another field
   * keeps it ({@code "targetGroups[0]: healthCheck.timeout: ..."}); one naming a key of the
   * element at {@code path} moves to that key ({@code "targetGroups[0].name: ..."}).
   */
  static String problem(String path, String message) {
    java.util.regex.Matcher m = FIELD.matcher(message);
    if (!m.matches()) {
      return path + ": " + message;
    }
    String field = m.group(1);
    String rest = m.group(2);
    String last = field.substring(field.lastIndexOf('.') + 1);
    String pathLast = path.substring(path.lastIndexOf('.') + 1);
    int bracket = pathLast.indexOf('[');
    if (bracket >= 0) {
      pathLast = pathLast.substring(0, bracket);
    }
    if (path.equals(field) || path.endsWith("." + field) || (!last.isEmpty() && pathLast.startsWith(last))) {
      return path + ": " + rest;
    }
    int dot = field.indexOf('.');
    if (path.endsWith("]") && dot > 0 && dot == field.lastIndexOf('.')) {
      ConfigKeys.Section section = BUILDER_PREFIXES.get(field.substring(0, dot));
      if (section != null && section.names().contains(last)) {
        return path + "." + last + ": " + rest;
      }
    }
    return path + ": " + message;
  }

  /**
   * A key of the file as it appears in a problem's path: control characters escaped, so that a
   * key cannot break a problem over several lines (found by LauncherConfigJazzerTest).
   */
  static String key(String k) {
    StringBuilder b = null;
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (b == null) {
          b = new StringBuilder(k.length() + 8).append(k, 0, i);
        }
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? k : b.toString();
  }
}
