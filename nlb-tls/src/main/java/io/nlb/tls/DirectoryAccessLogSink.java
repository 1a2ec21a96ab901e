package io.nlb.tls;

import io.nlb.common.Problems;
import io.nlb.core.LoadBalancerAttributes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Writes each interval as a gzip file under a directory (the in-process stand-in for the S3
 * bucket), named after the documented pattern:
 *
 * <pre>
 * dir[/prefix]/AWSLogs/account-id/elasticloadbalancing/region/yyyy/mm/dd/
 *     account-id_elasticloadbalancing_region_net.load-balancer-id_end-time_random-string.log.gz
 * </pre>
 *
 * where the load balancer id has its slashes replaced by dots and the end time is
 * {@code yyyyMMdd'T'HHmm'Z'}. Files are written to a temporary name and moved into place, so a
 * reader never sees half a file.
 *
 * <p>Used by one writer thread at a time.
 *
 * @since 0.1
 */
public final class DirectoryAccessLogSink implements AccessLogSink {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu/MM/dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter END = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

  private final Path root;
  private final String accountId;
  private final String region;
  private final String loadBalancerId;
  private final Random random;

  /**
   * A sink under {@code directory}/{@code prefix}.
   *
   * @param prefix may be empty; must not contain {@code AWSLogs}
   * @param loadBalancerId the resource id, {@code net/my-nlb/1234567890abcdef}
   * @param directory the directory
   * @param accountId the account id
   * @param region the region
   * @param random the random source
   */
  public DirectoryAccessLogSink(Path directory, String prefix, String accountId, String region, String loadBalancerId, Random random) {
    if (prefix.contains("AWSLogs")) {
      throw Problems.invalid(LoadBalancerAttributes.ACCESS_LOGS_PREFIX, prefix, "a prefix without AWSLogs");
    }
    this.root = prefix.isEmpty() ? directory : directory.resolve(prefix);
    this.accountId = accountId;
    this.region = region;
    this.loadBalancerId = loadBalancerId;
    this.random = random;
  }

  /**
   * {@return the sink the attributes ask for, or {@code null} when {@code access_logs.s3.enabled} is false:
   * {@code access_logs.s3.bucket} is the directory, {@code access_logs.s3.prefix} the prefix}
   *
   * @param attributes the attributes
   * @param accountId the account id
   * @param region the region
   * @param loadBalancerId the load balancer id
   */
  public static @Nullable DirectoryAccessLogSink fromAttributes(LoadBalancerAttributes attributes, String accountId, String region,
      String loadBalancerId) {
    if (!attributes.accessLogsEnabled()) {
      return null;
    }
    return new DirectoryAccessLogSink(Path.of(attributes.accessLogsDirectory()), attributes.accessLogsPrefix(), accountId, region,
        loadBalancerId, new SecureRandom());
  }

  /**
   * {@return the file an interval ending at {@code intervalEnd} is written to, with {@code randomString}}
   *
   * @param intervalEnd the interval end
   * @param randomString the random string
   */
  public Path fileFor(Instant intervalEnd, String randomString) {
    String name = accountId + "_elasticloadbalancing_" + region + "_" + loadBalancerId.replace('/', '.') + "_"
        + END.format(intervalEnd) + "_" + randomString + ".log.gz";
    return root.resolve("AWSLogs").resolve(accountId).resolve("elasticloadbalancing").resolve(region)
        .resolve(DAY.format(intervalEnd)).resolve(name);
  }

  @Override
  public void write(Instant intervalEnd, List<String> lines) throws IOException {
    Path target = fileFor(intervalEnd, randomString());
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp));
        Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      for (String line : lines) {
        w.write(line);
        w.write('\n');
      }
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
  }

  private String randomString() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(8);
    for (int i = 0; i < 8; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
