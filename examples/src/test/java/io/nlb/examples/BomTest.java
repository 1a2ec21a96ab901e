package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** nlb-bom has no parent (see its pom), so these checks keep it in step with the build. */
class BomTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().resolve("..").normalize();
  /** The BOM itself, and modules whose pom sets {@code maven.deploy.skip} (checked below). */
  private static final List<String> NOT_PUBLISHED = List.of("nlb-bom", "examples", "benchmarks", "nlb-test-etcd");

  @Test
  void bom_listsEveryPublishedModuleAtTheProjectVersion() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    Document bom = read(ROOT.resolve("nlb-bom/pom.xml"));

    List<String> published = new ArrayList<>();
    for (String module : texts(parent.getDocumentElement(), "modules", "module")) {
      if (!NOT_PUBLISHED.contains(module)) {
        published.add(module);
      }
    }
    List<String> managed = new ArrayList<>();
    for (Element dep : children(child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies"), "dependency")) {
      if (text(dep, "groupId").equals("io.nlb")) {
        assertThat(text(dep, "version")).as(text(dep, "artifactId")).isEqualTo("${project.version}");
        managed.add(text(dep, "artifactId"));
      }
    }
    assertThat(published).isNotEmpty().contains("nlb-core", "nlb-healthcheck");
    assertThat(managed).containsAll(published);
    for (String module : NOT_PUBLISHED) {
      if (!module.equals("nlb-bom")) {
        Element props = child(read(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement(), "properties");
        assertThat(text(props, "maven.deploy.skip")).as(module + ": maven.deploy.skip").isEqualTo("true");
      }
    }
  }

  @Test
  void bom_versionAndNettyVersion_equalTheParents() throws Exception {
    Element parent = read(ROOT.resolve("pom.xml")).getDocumentElement();
    Element bom = read(ROOT.resolve("nlb-bom/pom.xml")).getDocumentElement();

    assertThat(text(bom, "version")).isEqualTo(text(parent, "version"));
    assertThat(text(child(bom, "properties"), "netty.version")).isEqualTo(text(child(parent, "properties"), "netty.version"));
  }

  @Test
  void bom_carriesThePublicationMetadataOfTheParent() throws Exception {
    // The other modules inherit these from the parent, where the enforcer checks them.
    Element parent = read(ROOT.resolve("pom.xml")).getDocumentElement();
    Element bom = read(ROOT.resolve("nlb-bom/pom.xml")).getDocumentElement();

    assertThat(text(parent, "url")).startsWith("https://");
    for (String element : List.of("url", "licenses", "developers", "scm")) {
      assertThat(normalize(child(bom, element).getTextContent())).as(element)
          .isNotEmpty().isEqualTo(normalize(child(parent, element).getTextContent()));
    }
    assertThat(text(child(child(bom, "licenses"), "license"), "name")).isEqualTo("Apache License, Version 2.0");
    assertThat(text(child(bom, "scm"), "connection")).startsWith("scm:git:");
    assertThat(text(child(child(bom, "developers"), "developer"), "name")).isNotBlank();
  }

  @Test
  void programs_areNeverInstalledOrDeployed() throws Exception {
    for (String module : List.of("examples", "benchmarks")) {
      Element props = child(read(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement(), "properties");
      assertThat(text(props, "maven.install.skip")).as(module).isEqualTo("true");
      assertThat(text(props, "maven.deploy.skip")).as(module).isEqualTo("true");
    }
  }

  private static String normalize(String text) {
    return text.strip().replaceAll("\\s+", " ");
  }

  private static Document read(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    assertThat(found).as("<%s> in <%s>", name, parent.getTagName()).hasSize(1);
    return found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    return child(parent, name).getTextContent().strip();
  }

  private static List<String> texts(Element parent, String list, String item) {
    List<String> out = new ArrayList<>();
    for (Element e : children(child(parent, list), item)) {
      out.add(e.getTextContent().strip());
    }
    return out;
  }
}
