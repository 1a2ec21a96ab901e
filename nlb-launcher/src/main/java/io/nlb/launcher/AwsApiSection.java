package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.awsapi.CertificateStore;
import io.nlb.awsapi.Subnet;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Zone;
import io.nlb.tls.PemCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code awsApi} section of the launcher's configuration file: the endpoint's address, region
 * and account, access keys, subnets, certificates and state file.
 *
 * <p>Stateless: the {@link ConfigParser} passed in collects the problems of one parse, on one thread.
 */
final class AwsApiSection {
  private AwsApiSection() {}

  /**
   * The {@code awsApi} section. Subnet zones are looked up among {@code awsApi.zones} and the
   * zones of the file's load balancers ({@code lbNodes} too, so that a load balancer with another
   * problem does not make its zones "unknown" as well).
   */
  static @Nullable AwsApiSettings awsApi(ConfigParser parser, @Nullable JsonNode node, List<LoadBalancerConfig> lbs, @Nullable JsonNode lbNodes) {
    if (node == null || node.isNull()) {
      return null;
    }
    int before = parser.problems.size();
    if (!parser.mapping("awsApi", node, ConfigKeys.AWS_API.names(), "a mapping such as {port: 4566, accessKeys: [...]}")) {
      return null;
    }
    Integer port = parser.integer("awsApi.port", node.get("port"), true);
    if (port != null && (port < 0 || port > 65535)) {
      parser.problems.add("awsApi.port: " + port + " (expected: 0-65535)");
    }
    InetAddress address = InetAddress.getLoopbackAddress();
    String a = parser.text("awsApi.address", node.get("address"), false);
    if (a != null) {
      InetAddress parsed = StatusSettings.literal(a.trim());
      if (parsed == null) {
        parser.problems.add("awsApi.address: \"" + a + "\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)");
      } else {
        address = parsed;
      }
    }
    String region = parser.text("awsApi.region", node.get("region"), false);
    if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-\\d{1,2}")) {
      parser.problems.add("awsApi.region: \"" + region + "\" (expected: a region name such as us-east-2)");
    }
    region = region == null ? "us-east-1" : region;
    String account = parser.text("awsApi.accountId", node.get("accountId"), false);
    if (account != null && !account.matches("\\d{12}")) {
      parser.problems.add("awsApi.accountId: \"" + account + "\" (expected: 12 digits)");
    }
    account = account == null ? "123456789012" : account;
    Map<String, String> keys = new LinkedHashMap<>();
    JsonNode keyNodes = node.get("accessKeys");
    if (keyNodes == null || keyNodes.isNull() || (keyNodes.isArray() && keyNodes.isEmpty())) {
      parser.problems.add("awsApi.accessKeys: missing (expected: at least one {id, secret} or {id, secretFile}; unsigned requests"
          + " are always refused)");
    } else if (parser.list("awsApi.accessKeys", keyNodes)) {
      for (int i = 0; i < keyNodes.size(); i++) {
        accessKey(parser, "awsApi.accessKeys[" + i + "]", keyNodes.get(i), keys);
      }
    }
    Map<String, Zone> zones = new LinkedHashMap<>();
    JsonNode zoneNodes = node.get("zones");
    if (parser.list("awsApi.zones", zoneNodes)) {
      for (int i = 0; i < zoneNodes.size(); i++) {
        Zone z = LoadBalancerSection.zone(parser, "awsApi.zones[" + i + "]", zoneNodes.get(i));
        if (z != null && zones.putIfAbsent(z.name(), z) != null) {
          parser.problems.add("awsApi.zones[" + i + "].name: \"" + z.name() + "\" (expected: a name not used by another of awsApi.zones)");
        }
      }
    }
    for (LoadBalancerConfig lb : lbs) {
      for (Zone z : lb.zones()) {
        zones.putIfAbsent(z.name(), z);
      }
    }
    Set<String> knownZones = new java.util.TreeSet<>(zones.keySet());
    if (lbNodes != null && lbNodes.isArray()) {
      for (JsonNode lb : lbNodes) {
        JsonNode zs = lb.get("zones");
        if (zs != null && zs.isArray()) {
          zs.forEach(z -> {
            JsonNode n = z.get("name");
            if (n != null && n.isValueNode()) {
              knownZones.add(n.asText());
            }
          });
        }
      }
    }
    List<Subnet> subnets = new ArrayList<>();
    JsonNode subnetNodes = node.get("subnets");
    if (parser.list("awsApi.subnets", subnetNodes)) {
      Set<String> ids = new java.util.HashSet<>();
      for (int i = 0; i < subnetNodes.size(); i++) {
        Subnet sn = subnet(parser, "awsApi.subnets[" + i + "]", subnetNodes.get(i), zones, knownZones);
        if (sn != null && !ids.add(sn.id())) {
          parser.problems.add("awsApi.subnets[" + i + "].id: \"" + sn.id() + "\" (expected: an id not used by another subnet)");
        } else if (sn != null) {
          subnets.add(sn);
        }
      }
    }
    Map<String, ServerCertificate> byArn = new LinkedHashMap<>();
    JsonNode certs = node.get("certificates");
    if (parser.list("awsApi.certificates", certs)) {
      for (int i = 0; i < certs.size(); i++) {
        String path = "awsApi.certificates[" + i + "]";
        JsonNode c = certs.get(i);
        if (!parser.mapping(path, c, ConfigKeys.AWS_API_CERTIFICATE.names(), "a mapping such as {arn: ..., certificateChain: chain.pem, privateKey: key.pem}")) {
          continue;
        }
        String arn = parser.text(path + ".arn", c.get("arn"), true);
        if (arn != null && !arn.matches("arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9._-]+")) {
          parser.problems.add(path + ".arn: \"" + arn + "\" (expected: an ACM certificate ARN such as"
              + " arn:aws:acm:us-east-1:123456789012:certificate/web)");
          arn = null;
        }
        com.fasterxml.jackson.databind.node.ObjectNode pem = c.deepCopy();
        pem.remove("arn");
        PemCertificate cert = parser.certificate(path, pem);
        if (arn != null && cert != null && byArn.putIfAbsent(arn, cert) != null) {
          parser.problems.add(path + ".arn: \"" + arn + "\" (expected: an ARN not used by another certificate)");
        }
      }
    }
    CertificateStore listed = CertificateStore.of(byArn);
    CertificateStore store = listed;
    String dirName = parser.text("awsApi.certificateDirectory", node.get("certificateDirectory"), false);
    if (dirName != null) {
      try {
        Path dir = parser.baseDir.resolve(dirName);
        CertificateStore fromDir = CertificateStore.directory(dir, region, account);
        store = arn -> listed.certificate(arn).or(() -> fromDir.certificate(arn));
      } catch (UncheckedIOException | IllegalArgumentException e) {
        String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : String.valueOf(e.getMessage());
        parser.problems.add("awsApi.certificateDirectory: \"" + dirName + "\": " + why + " (expected: a readable directory of <name>.crt.pem and"
            + " <name>.key.pem pairs; relative paths resolve against " + parser.baseDir.toAbsolutePath() + ")");
      }
    }
    Path state = null;
    String stateName = parser.text("awsApi.stateFile", node.get("stateFile"), false);
    if (stateName != null) {
      try {
        state = parser.baseDir.resolve(stateName).toAbsolutePath();
        Path parent = state.getParent();
        if (parent == null || !Files.isDirectory(parent) || Files.isDirectory(state)) {
          parser.problems.add("awsApi.stateFile: \"" + stateName + "\" (expected: a file in an existing directory; relative paths resolve against "
              + parser.baseDir.toAbsolutePath() + ")");
        }
      } catch (java.nio.file.InvalidPathException e) {
        parser.problems.add("awsApi.stateFile: \"" + stateName + "\": " + e.getReason() + " (expected: a file path)");
      }
    }
    if (parser.problems.size() > before || port == null) {
      return null;
    }
    return new AwsApiSettings(address, port, region, account, keys, subnets, store, state, node.toString());
  }

  private static void accessKey(ConfigParser parser, String path, JsonNode node, Map<String, String> keys) {
    if (!parser.mapping(path, node, ConfigKeys.AWS_API_ACCESS_KEY.names(), "a mapping such as {id: AKIDNLBEXAMPLE000001, secretFile: secret.txt}")) {
      return;
    }
    String id = parser.text(path + ".id", node.get("id"), true);
    if (id != null && !id.matches("[A-Z0-9]{16,128}")) {
      parser.problems.add(path + ".id: \"" + id + "\" (expected: 16-128 capital letters and digits)");
      id = null;
    }
    String secret = parser.text(path + ".secret", node.get("secret"), false);
    String secretFile = parser.text(path + ".secretFile", node.get("secretFile"), false);
    if (secret != null && secretFile != null) {
      parser.problems.add(path + ": both secret and secretFile (expected: one of them)");
      return;
    }
    String value;
    if (secretFile == null) {
      if (secret == null) {
        parser.problems.add(path + ".secret: missing (expected: secret or secretFile)");
        return;
      }
      value = secret;
    } else {
      String expected = " (expected: a readable file holding the secret on one line; relative paths resolve against "
          + parser.baseDir.toAbsolutePath() + ")";
      try {
        Path f = parser.baseDir.resolve(secretFile);
        if (!Files.isRegularFile(f) || Files.size(f) > 4096) {
          parser.problems.add(path + ".secretFile: \"" + secretFile + "\"" + expected);
          return;
        }
        value = Files.readString(f, java.nio.charset.StandardCharsets.UTF_8).strip();
      } catch (java.nio.file.InvalidPathException | IOException | UncheckedIOException e) {
        parser.problems.add(path + ".secretFile: \"" + secretFile + "\": " + e.getMessage() + expected);
        return;
      }
    }
    if (value.isEmpty()) {
      parser.problems.add(path + (secretFile != null ? ".secretFile: \"" + secretFile + "\" is empty" : ".secret: (empty)")
          + " (expected: the secret access key)");
      return;
    }
    if (id != null && keys.putIfAbsent(id, value) != null) {
      parser.problems.add(path + ".id: \"" + id + "\" (expected: an id not used by another access key)");
    }
  }

  private static @Nullable Subnet subnet(ConfigParser parser, String path, JsonNode node, Map<String, Zone> zones, Set<String> knownZones) {
    if (!parser.mapping(path, node, ConfigKeys.AWS_API_SUBNET.names(), "a mapping such as {id: subnet-0a1b2c, zone: zone-a}")) {
      return null;
    }
    int before = parser.problems.size();
    String id = parser.text(path + ".id", node.get("id"), true);
    if (id != null && !id.matches("subnet-[0-9A-Za-z]{1,64}")) {
      parser.problems.add(path + ".id: \"" + id + "\" (expected: subnet- followed by 1-64 letters or digits)");
    }
    String zoneName = parser.text(path + ".zone", node.get("zone"), true);
    Zone zone = zoneName == null ? null : zones.get(zoneName);
    if (zoneName != null && zone == null && !knownZones.contains(zoneName)) {
      parser.problems.add(path + ".zone: \"" + zoneName + "\" (expected: a zone of awsApi.zones or of the load balancers: "
          + (knownZones.isEmpty() ? "none defined" : String.join(", ", knownZones)) + ")");
    } else if (zone != null && zone.addresses().isEmpty()) {
      parser.problems.add(path + ".zone: \"" + zoneName + "\" has no addresses (expected: a zone with a node address)");
    }
    List<String> extra = new ArrayList<>();
    JsonNode addresses = node.get("addresses");
    if (parser.list(path + ".addresses", addresses)) {
      for (int i = 0; i < addresses.size(); i++) {
        String ad = parser.text(path + ".addresses[" + i + "]", addresses.get(i), true);
        if (ad != null && StatusSettings.literal(ad.trim()) == null) {
          parser.problems.add(path + ".addresses[" + i + "]: \"" + ad + "\" (expected: an IPv4 or IPv6 literal)");
        } else if (ad != null) {
          extra.add(ad.trim());
        }
      }
    }
    if (parser.problems.size() > before || id == null || zone == null) {
      return null;
    }
    return parser.attempt(path, () -> Subnet.of(id, zone, extra.toArray(String[]::new)));
  }
}
