package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Issue 16's acceptance, as a newcomer would do it: a new Maven project, outside this build, that
 * imports {@code nlb-bom} with the README's Maven lines and has the README's embedding example
 * pasted as its main class. It is compiled by a separate {@code mvn} and run by a separate JVM, and
 * must print what the example promises.
 *
 * <p>The new project's local repository is a fresh folder holding this build's modules (their
 * POMs, and jars made from their {@code target/classes}, so a {@code test} run needs no
 * {@code package}); every other artifact is copied into it from the build's own local repository
 * through a {@code file:} mirror of every repository. So nothing is read from the network and
 * nothing is written to the shared local repository. The plugins the new project pins are the
 * ones this build uses, so they are in that repository after any build of this project.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReadmeFreshProjectTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().resolve("..").normalize();

  @Test
  void readmeExample_inANewProjectImportingTheBom_compilesAndRuns(@TempDir Path work) throws Exception {
    List<String> readme = ReadmeBlocks.lines(ReadmeBlocks.readme());
    List<String> mavenLines = ReadmeBlocks.fencedBlockContaining(readme, "xml", "<artifactId>nlb-bom</artifactId>");
    List<String> example = ReadmeBlocks.fencedBlockContaining(readme, "public final class EmbeddingExample {");

    Path repo = work.resolve("repo");
    String version = stageReactorArtifacts(repo);
    assertThat(String.join("\n", mavenLines)).contains("<version>" + version + "</version>");

    Path project = work.resolve("app");
    Files.createDirectories(project.resolve("src/main/java"));
    Files.writeString(project.resolve("pom.xml"), pom(mavenLines), StandardCharsets.UTF_8);
    Files.write(project.resolve("src/main/java/EmbeddingExample.java"), example, StandardCharsets.UTF_8);
    Path settings = work.resolve("settings.xml");
    Files.writeString(settings, settings(repo), StandardCharsets.UTF_8);

    Run build = run(project, work.resolve("mvn.log"), 240,
        mvn(), "-B", "-s", settings.toString(), "-DskipTests", "package");
    assertThat(build.exit).as("mvn package of the new project:\n%s", build.tail()).isZero();

    Run app = run(project, work.resolve("app.log"), 120,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", "target/app-1.0.jar");
    assertThat(app.exit).as("java -jar of the new project:\n%s", app.tail()).isZero();

    Matcher answers = Pattern.compile("(?m)^answers: \\[(.*)]$").matcher(app.output);
    assertThat(answers.find()).as(app.tail()).isTrue();
    assertThat(answers.group(1).split(", ")).hasSize(10).allSatisfy(a -> assertThat(a).isIn("t1", "t2"));
    // "hello\n" in, "t1\n" or "t2\n" out, per connection.
    assertThat(app.output).containsPattern("(?m)^NewFlowCount 10, ProcessedBytes 90$")
        .containsPattern("(?m)^Result\\[answers=\\[.*], newFlowCount=10, processedBytes=90]$");
  }

  /** The new project: the README's Maven lines between a coordinate and a build a user would add. */
  private static String pom(List<String> mavenLines) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>app</artifactId>
          <version>1.0</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>

        %s

          <build>
            <plugins>
              <plugin>
                <artifactId>maven-compiler-plugin</artifactId>
                <version>3.14.0</version>
              </plugin>
              <plugin>
                <artifactId>maven-resources-plugin</artifactId>
                <version>3.3.1</version>
              </plugin>
              <plugin>
                <artifactId>maven-surefire-plugin</artifactId>
                <version>3.5.3</version>
              </plugin>
              <plugin>
                <!-- A runnable jar whose manifest names the dependencies in the local repository. -->
                <artifactId>maven-jar-plugin</artifactId>
                <version>3.4.2</version>
                <configuration>
                  <archive>
                    <manifest>
                      <mainClass>EmbeddingExample</mainClass>
                      <addClasspath>true</addClasspath>
                      <classpathLayoutType>repository</classpathLayoutType>
                      <classpathPrefix>../../repo/</classpathPrefix>
                    </manifest>
                  </archive>
                </configuration>
              </plugin>
            </plugins>
          </build>
        </project>
        """.formatted(String.join("\n", mavenLines));
  }

  /** Our modules from the staging repository; everything else copied from the build's repository. */
  private static String settings(Path repo) {
    Path buildRepo = Path.of(System.getProperty("nlb.buildLocalRepository",
        Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
    return """
        <settings>
          <localRepository>%s</localRepository>
          <mirrors>
            <mirror>
              <id>build-local-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """.formatted(repo, buildRepo.toUri());
  }

  /**
   * Lays out the parent POM, the BOM and every module the BOM manages whose classes are built, as
   * {@code mvn install} would, and returns the project version.
   */
  private static String stageReactorArtifacts(Path repo) throws Exception {
    Element parent = xml(ROOT.resolve("pom.xml"));
    String version = childText(parent, "version");
    stage(repo, "nlb-parent", version, ROOT.resolve("pom.xml"), null);
    stage(repo, "nlb-bom", version, ROOT.resolve("nlb-bom/pom.xml"), null);
    NodeList deps = xml(ROOT.resolve("nlb-bom/pom.xml")).getElementsByTagName("dependency");
    List<String> staged = new ArrayList<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element dep = (Element) deps.item(i);
      String artifactId = childText(dep, "artifactId");
      Path module = ROOT.resolve(artifactId);
      if (childText(dep, "groupId").equals("io.nlb") && Files.isDirectory(module.resolve("target/classes"))) {
        stage(repo, artifactId, version, module.resolve("pom.xml"), module.resolve("target/classes"));
        staged.add(artifactId);
      }
    }
    // The modules the README's lines name; examples depends on each, so they are built before it.
    assertThat(staged).contains("nlb-core", "nlb-transport-netty", "nlb-healthcheck", "nlb-metrics-store",
        "nlb-metrics-micrometer", "nlb-proxyprotocol");
    return version;
  }

  private static void stage(Path repo, String artifactId, String version, Path pom, @Nullable Path classes) throws IOException {
    Path dir = repo.resolve("io/nlb").resolve(artifactId).resolve(version);
    Files.createDirectories(dir);
    Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
    if (classes != null) {
      jar(classes, dir.resolve(artifactId + "-" + version + ".jar"));
    }
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
  }

  private static String mvn() {
    String home = System.getProperty("maven.home");
    if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
      return Path.of(home, "bin", "mvn").toString();
    }
    return "mvn";
  }

  private record Run(int exit, String output) {
    String tail() {
      return output.length() <= 6000 ? output : "..." + output.substring(output.length() - 6000);
    }
  }

  /** Runs a command in {@code dir}, its output to {@code log}; destroys it after {@code seconds}. */
  private static Run run(Path dir, Path log, long seconds, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError(String.join(" ", command) + " still running after " + seconds + " s:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static Element xml(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
  }

  private static String childText(Element e, String name) {
    for (int i = 0; i < e.getChildNodes().getLength(); i++) {
      if (e.getChildNodes().item(i) instanceof Element c && c.getTagName().equals(name)) {
        return c.getTextContent().strip();
      }
    }
    throw new AssertionError("no <" + name + "> in <" + e.getTagName() + ">");
  }
}
