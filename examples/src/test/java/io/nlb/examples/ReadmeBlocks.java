package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads code blocks of the root README and the example sources they are copied from, so that a
 * test can check the README shows exactly the compiled code. Indentation and blank lines are
 * ignored: a README block is not nested in a method.
 */
final class ReadmeBlocks {
  private ReadmeBlocks() {}

  static Path readme() {
    return Path.of("").toAbsolutePath().resolve("../README.md").normalize();
  }

  static Path source(String simpleName) {
    return Path.of("").toAbsolutePath().resolve("src/main/java/io/nlb/examples/" + simpleName + ".java");
  }

  static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  /** The lines strictly between the line equal to {@code begin} and the line equal to {@code end}. */
  static List<String> between(List<String> lines, String begin, String end) {
    int from = -1;
    int to = -1;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (from < 0 && l.equals(begin)) {
        from = i + 1;
      } else if (from >= 0 && l.equals(end)) {
        to = i;
        break;
      }
    }
    assertThat(from).as("line %s", begin).isPositive();
    assertThat(to).as("line %s after %s", end, begin).isGreaterThan(from);
    return lines.subList(from, to);
  }

  /** The fenced {@code ```java} block of the README that contains {@code marker}. */
  static List<String> fencedBlockContaining(List<String> readme, String marker) {
    return fencedBlockContaining(readme, "java", marker);
  }

  /** The fenced block in {@code language} of the README that contains the line {@code marker}. */
  static List<String> fencedBlockContaining(List<String> readme, String language, String marker) {
    int open = -1;
    for (int i = 0; i < readme.size(); i++) {
      String l = readme.get(i).strip();
      if (l.equals("```" + language)) {
        open = i;
      } else if (l.equals("```")) {
        if (open >= 0 && readme.subList(open, i).stream().anyMatch(s -> s.strip().equals(marker))) {
          return readme.subList(open + 1, i);
        }
        open = -1;
      }
    }
    throw new AssertionError("no ```" + language + " block containing " + marker + " in the README");
  }

  /** The {@code import} lines of a source file, in order. */
  static List<String> imports(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("import ")) {
        out.add(l);
      }
    }
    return out;
  }

  /** Compares code, not layout. */
  static String normalize(List<String> lines) {
    return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
  }
}
