package io.nlb.awsapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The file that keeps what the API created, so a restarted endpoint serves the same resources
 * under the same ARNs.
 *
 * <p>Format: a header line {@code nlb-aws-api-state 1}, then one line per record, {@code <kind>
 * <form-encoded fields>}, in the order they are restored: target groups, load balancers,
 * listeners, targets. Written whole after every change: to a temporary file in the same
 * directory, forced to disk, moved over the old file atomically, and the directory forced, so a
 * crash at any point leaves either the old file or the new one, never a mix.
 *
 * <p>Not thread-safe: used from the operations thread only.
 */
final class StateFile {
  static final String HEADER = "nlb-aws-api-state 1";

  /** One record: its kind and its fields, in order. */
  record Entry(String kind, Map<String, String> fields) {
    String get(String name) {
      String v = fields.get(name);
      if (v == null) {
        throw new IllegalStateException("state record " + kind + " lacks " + name);
      }
      return v;
    }

    /** The fields under {@code prefix.}, with the prefix removed, in order. */
    Map<String, String> under(String prefix) {
      Map<String, String> out = new LinkedHashMap<>();
      String p = prefix + ".";
      fields.forEach((k, v) -> {
        if (k.startsWith(p)) {
          out.put(k.substring(p.length()), v);
        }
      });
      return out;
    }
  }

  private final Path path;

  private final Path dir;

  StateFile(Path path) {
    this.path = path.toAbsolutePath();
    Path parent = this.path.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("awsApi.stateFile: " + path + " (expected: a file path, not a root)");
    }
    this.dir = parent;
  }

  Path path() {
    return path;
  }

  /** Writes every record the service holds; the change it follows is durable when this returns. */
  void write(ElbV2Service elb) {
    try {
      writeAtomically(format(elb.snapshot()).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("state file " + path + ": could not be written", e);
    }
  }

  /** The records as the file's text: the header line, then one line per record. */
  static String format(List<Entry> entries) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (Entry e : entries) {
      sb.append(e.kind()).append(' ');
      boolean first = true;
      for (Map.Entry<String, String> f : e.fields().entrySet()) {
        if (!first) {
          sb.append('&');
        }
        first = false;
        sb.append(encode(f.getKey())).append('=').append(encode(f.getValue()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private void writeAtomically(byte[] bytes) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(path.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + dir + " cannot rename atomically; the state file needs one that can", e);
    }
    // The rename is durable only once the directory entry is.
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory; the rename itself was atomic.
    }
  }

  /** The records of the file; none when there is no file yet. */
  List<Entry> read() {
    if (!Files.exists(path)) {
      return List.of();
    }
    try {
      String text = Files.readString(path, StandardCharsets.UTF_8);
      if (text.isEmpty()) {
        throw new IllegalStateException("state file " + path + ": first line (none) (expected: " + HEADER + ")");
      }
      return parse(text, "state file " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("state file " + path + ": could not be read", e);
    }
  }

  /**
   * The records of a text in the file's format; none for an empty text.
   *
   * @param where what the text is, for the messages
   * @throws IllegalStateException naming the line that is not a record
   */
  static List<Entry> parse(String text, String where) {
    if (text.isEmpty()) {
      return List.of();
    }
    List<String> lines = text.lines().toList();
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new IllegalStateException(where + ": first line " + (lines.isEmpty() ? "(none)" : lines.get(0))
          + " (expected: " + HEADER + ")");
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isEmpty()) {
        continue;
      }
      int sp = line.indexOf(' ');
      if (sp <= 0) {
        throw new IllegalStateException(where + ": line " + (i + 1) + ": " + line + " (expected: <kind> <fields>)");
      }
      Map<String, String> fields = new LinkedHashMap<>();
      String rest = line.substring(sp + 1);
      if (!rest.isEmpty()) {
        for (String kv : rest.split("&")) {
          int eq = kv.indexOf('=');
          if (eq < 0) {
            throw new IllegalStateException(where + ": line " + (i + 1) + ": " + kv + " (expected: name=value)");
          }
          fields.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
        }
      }
      out.add(new Entry(line.substring(0, sp), fields));
    }
    return out;
  }

  /** Recreates every record of the file in the service (before the endpoint binds). */
  void restore(ElbV2Service elb) {
    elb.restore(read());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
