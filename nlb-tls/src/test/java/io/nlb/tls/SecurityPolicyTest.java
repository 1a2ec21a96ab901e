package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.nlb.core.SecurityPolicies;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityPolicyTest {
  /** The transcription of the policy tables is the source of truth; the Java constants must match it. */
  static List<String[]> csvRows() throws IOException {
    List<Path> candidates = List.of(
        Path.of("../shared/spec/security-policies.csv"),
        Path.of("../../shared/spec/security-policies.csv"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("policy,kind,name,openssl_name,iana_name");
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
          if (!line.isBlank()) {
            rows.add(line.split(",", -1));
          }
        }
        return rows;
      }
    }
    return fail("security-policies.csv not found at " + candidates + " relative to "
        + Path.of("").toAbsolutePath() + "; check out shared/ beside the repository");
  }

  @Test
  void constants_comparedWithSpecCsv_matchExactlyInOrder() throws IOException {
    Map<String, List<String>> expectedProtocols = new LinkedHashMap<>();
    Map<String, List<String>> expectedCiphers = new LinkedHashMap<>();
    for (String[] r : csvRows()) {
      expectedProtocols.computeIfAbsent(r[0], k -> new ArrayList<>());
      expectedCiphers.computeIfAbsent(r[0], k -> new ArrayList<>());
      if (r[1].equals("protocol")) {
        expectedProtocols.get(r[0]).add(r[2]);
      } else {
        assertThat(r[1]).isEqualTo("cipher");
        expectedCiphers.get(r[0]).add(r[2] + "|" + r[3] + "|" + r[4]);
      }
    }
    assertThat(SecurityPolicy.all()).extracting(SecurityPolicy::name)
        .containsExactlyElementsOf(expectedProtocols.keySet());
    for (SecurityPolicy p : SecurityPolicy.all()) {
      assertThat(p.protocolNames()).as(p.name()).containsExactlyElementsOf(expectedProtocols.get(p.name()));
      List<String> actual = new ArrayList<>();
      for (CipherSuite c : p.ciphers()) {
        actual.add(c.policyName() + "|" + c.opensslName() + "|" + c.ianaName());
      }
      assertThat(actual).as(p.name()).containsExactlyElementsOf(expectedCiphers.get(p.name()));
    }
  }

  @Test
  void all_comparedWithCoreNames_sameNamesSameOrder() {
    assertThat(SecurityPolicy.all()).extracting(SecurityPolicy::name).containsExactlyElementsOf(SecurityPolicies.NAMES);
    assertThat(SecurityPolicy.DEFAULT.name()).isEqualTo(SecurityPolicies.DEFAULT).isEqualTo("ELBSecurityPolicy-2016-08");
    assertThat(SecurityPolicy.RECOMMENDED.name()).isEqualTo(SecurityPolicies.RECOMMENDED).isEqualTo("ELBSecurityPolicy-TLS13-1-2-2021-06");
  }

  @Test
  void constants_eachNamedAfterItsPolicy() throws IllegalAccessException {
    // The rows take their names from SecurityPolicies.NAMES by position; a row out of place would
    // give a constant another policy's name. TLS13_1_2_RES_2021_06 is ELBSecurityPolicy-TLS13-1-2-Res-2021-06.
    int constants = 0;
    for (Field f : SecurityPolicy.class.getFields()) {
      if (f.getType() != SecurityPolicy.class || !Modifier.isStatic(f.getModifiers())
          || f.getName().equals("DEFAULT") || f.getName().equals("RECOMMENDED")) {
        continue;
      }
      String expected = "ELBSecurityPolicy-" + f.getName().replaceFirst("^POLICY_", "").replace('_', '-');
      assertThat(((SecurityPolicy) f.get(null)).name()).as(f.getName()).isEqualToIgnoringCase(expected);
      constants++;
    }
    assertThat(constants).isEqualTo(SecurityPolicies.NAMES.size());
  }

  @Test
  void named_knownName_returnsConstant() {
    assertThat(SecurityPolicy.named("ELBSecurityPolicy-FS-2018-06")).isSameAs(SecurityPolicy.FS_2018_06);
  }

  @Test
  void named_unknownName_failsListingNames() {
    assertThatThrownBy(() -> SecurityPolicy.named("ELBSecurityPolicy-Custom"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sslPolicy: \"ELBSecurityPolicy-Custom\" (expected: one of [ELBSecurityPolicy-TLS13-1-2-2021-06, ")
        .hasMessageContaining("ELBSecurityPolicy-2015-05])");
  }

  @Test
  void isTls13Capable_matchesNameFamily() {
    for (SecurityPolicy p : SecurityPolicy.all()) {
      assertThat(p.isTls13Capable()).as(p.name()).isEqualTo(SecurityPolicies.isTls13(p.name()));
    }
  }

  @Test
  void backendFor_tls13Policy_usesTls13_1_0_otherwise2016_08() {
    assertThat(SecurityPolicy.backendFor(SecurityPolicy.TLS13_1_3_2021_06)).isSameAs(SecurityPolicy.TLS13_1_0_2021_06);
    assertThat(SecurityPolicy.backendFor(SecurityPolicy.RECOMMENDED)).isSameAs(SecurityPolicy.TLS13_1_0_2021_06);
    assertThat(SecurityPolicy.backendFor(SecurityPolicy.FS_1_2_RES_2020_10)).isSameAs(SecurityPolicy.POLICY_2016_08);
    assertThat(SecurityPolicy.backendFor(SecurityPolicy.TLS_1_0_2015_04)).isSameAs(SecurityPolicy.POLICY_2016_08);
  }

  @Test
  void describe_recommended_listsProtocolsAndPrioritisedCiphers() {
    SecurityPolicy.Description d = SecurityPolicy.describe().getOrDefault("ELBSecurityPolicy-TLS13-1-2-2021-06", SecurityPolicy.FS_2018_06.description());
    assertThat(d).isNotNull();
    assertThat(d.sslProtocols()).containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(d.ciphers()).hasSize(11);
    assertThat(d.ciphers().get(0)).isEqualTo(new SecurityPolicy.Description.Cipher(
        "TLS-AES-128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 1));
    assertThat(d.ciphers().get(10).name()).isEqualTo("ECDHE-RSA-AES256-SHA384");
    assertThat(SecurityPolicy.describe()).hasSize(18);
  }

  @Test
  void forwardSecrecy_fsAndRestrictedPolicies_onlyForwardSecretSuites() {
    assertThat(SecurityPolicy.all()).filteredOn(SecurityPolicy::isForwardSecretOnly).extracting(SecurityPolicy::name)
        .containsExactly("ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
            "ELBSecurityPolicy-FS-1-2-Res-2019-08", "ELBSecurityPolicy-FS-1-2-2019-08",
            "ELBSecurityPolicy-FS-1-1-2019-08", "ELBSecurityPolicy-FS-2018-06");
  }

  @Test
  void policy2015_05_isIdenticalTo2016_08() {
    assertThat(SecurityPolicy.POLICY_2015_05.ciphers()).isEqualTo(SecurityPolicy.POLICY_2016_08.ciphers());
    assertThat(SecurityPolicy.POLICY_2015_05.protocols()).isEqualTo(SecurityPolicy.POLICY_2016_08.protocols());
  }
}
