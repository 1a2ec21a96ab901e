package io.nlb.awsapi;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The ARN forms of the elbv2 resources, built and checked. Immutable. */
final class Arns {
  private static final String NAME = "[A-Za-z0-9-]{1,32}";
  private static final String ID = "[0-9a-f]{16}";
  private static final Pattern LB = Pattern.compile("arn:aws:elasticloadbalancing:([a-z0-9-]+):(\\d{12}):loadbalancer/net/(" + NAME + ")/(" + ID + ")");
  private static final Pattern TG = Pattern.compile("arn:aws:elasticloadbalancing:([a-z0-9-]+):(\\d{12}):targetgroup/(" + NAME + ")/(" + ID + ")");
  private static final Pattern LISTENER = Pattern.compile("arn:aws:elasticloadbalancing:([a-z0-9-]+):(\\d{12}):listener/net/(" + NAME + ")/(" + ID + ")/(" + ID + ")");

  enum Kind {
    LOAD_BALANCER("load balancer", LB),
    TARGET_GROUP("target group", TG),
    LISTENER("listener", Arns.LISTENER);

    final String label;
    final Pattern pattern;

    Kind(String label, Pattern pattern) {
      this.label = label;
      this.pattern = pattern;
    }
  }

  private final String prefix;

  Arns(String region, String accountId) {
    this.prefix = "arn:aws:elasticloadbalancing:" + region + ":" + accountId + ":";
  }

  String loadBalancer(String name, String id) {
    return prefix + "loadbalancer/net/" + name + "/" + id;
  }

  String targetGroup(String name, String id) {
    return prefix + "targetgroup/" + name + "/" + id;
  }

  String listener(String lbName, String lbId, String id) {
    return prefix + "listener/net/" + lbName + "/" + lbId + "/" + id;
  }

  /** {@return the load balancer name a load balancer ARN carries; null when it is not one} */
  static @Nullable String loadBalancerName(String arn) {
    Matcher m = LB.matcher(arn);
    return m.matches() ? m.group(3) : null;
  }

  /** Refuses a value that is not an ARN of that kind ({@code ValidationError}). */
  static String check(String field, String arn, Kind kind) {
    Matcher m = kind.pattern.matcher(arn);
    if (!m.matches()) {
      throw ApiException.validation(field + ": '" + arn + "' is not a valid " + kind.label + " ARN (expected: "
          + example(kind) + ")");
    }
    return arn;
  }

  static Kind kindOf(String field, String arn) {
    for (Kind k : Kind.values()) {
      if (k.pattern.matcher(arn).matches()) {
        return k;
      }
    }
    throw ApiException.validation(field + ": '" + arn + "' is not a valid resource ARN (expected: a load balancer, "
        + "listener or target group ARN)");
  }

  private static String example(Kind kind) {
    return switch (kind) {
      case LOAD_BALANCER -> "arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>";
      case TARGET_GROUP -> "arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>";
      case LISTENER -> "arn:aws:elasticloadbalancing:<region>:<account>:listener/net/<lb name>/<lb id>/<id>";
    };
  }
}
