package io.nlb.core;

import java.util.List;

/**
 * The names of the TLS security policies a TLS listener may use. The policies' protocols and
 * cipher suites live in the TLS module; the core knows their names so that a configuration naming
 * an unknown policy is refused when it is built.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class SecurityPolicies {
  /** The policy a TLS listener gets when none is named (the API default). */
  public static final String DEFAULT = "ELBSecurityPolicy-2016-08";
  /** The policy the documentation recommends. */
  public static final String RECOMMENDED = "ELBSecurityPolicy-TLS13-1-2-2021-06";

  /** The 18 named policies. */
  public static final List<String> NAMES = List.of(
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
      "ELBSecurityPolicy-TLS13-1-1-2021-06",
      "ELBSecurityPolicy-TLS13-1-0-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
      "ELBSecurityPolicy-FS-1-2-Res-2020-10",
      "ELBSecurityPolicy-FS-1-2-Res-2019-08",
      "ELBSecurityPolicy-FS-1-2-2019-08",
      "ELBSecurityPolicy-FS-1-1-2019-08",
      "ELBSecurityPolicy-FS-2018-06",
      "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
      "ELBSecurityPolicy-TLS-1-2-2017-01",
      "ELBSecurityPolicy-TLS-1-1-2017-01",
      "ELBSecurityPolicy-2016-08",
      "ELBSecurityPolicy-TLS-1-0-2015-04",
      "ELBSecurityPolicy-2015-05");

  private SecurityPolicies() {}

  /**
   * {@return whether {@code name} is one of {@link #NAMES}}
   *
   * @param name the name
   */
  public static boolean isKnown(String name) {
    return NAMES.contains(name);
  }

  /**
   * {@return whether the policy allows TLS 1.3 (its name says so: the {@code TLS13} family)}
   *
   * @param name the name
   */
  public static boolean isTls13(String name) {
    return name.startsWith("ELBSecurityPolicy-TLS13-");
  }
}
