package io.nlb.tls;

import io.nlb.common.Problems;
import io.nlb.core.SecurityPolicies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named TLS security policy: the protocol versions and the cipher suites a TLS listener
 * negotiates, the suites in server preference order. The set is closed: the 18 constants below
 * are every policy there is, frozen like OkHttp's {@code ConnectionSpec}s, and no custom policy can
 * be made.
 *
 * <pre>{@code
 * SecurityPolicy policy = SecurityPolicy.named("ELBSecurityPolicy-TLS13-1-2-2021-06");
 * policy.protocols();           // [TLSv1.2, TLSv1.3]
 * policy.ciphers().get(0);      // TLS_AES_128_GCM_SHA256, the server's first choice
 * SecurityPolicy.backendFor(policy); // ELBSecurityPolicy-TLS13-1-0-2021-06
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class SecurityPolicy {
  // The policies' names are written once, in core (SecurityPolicies.NAMES: core validates listener
  // configurations without this module). The rows below follow that list: the n-th row gets the
  // n-th name, and each constant is named after its policy (SecurityPolicyTest checks both).
  // Membership strings: one character per CipherSuite constant, in the global preference order
  // ('x' = in the policy). Every policy is an ordered subset of that one list.
  private static final List<TlsVersion> V12_13 = List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
  private static final List<TlsVersion> V11_13 = List.of(TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
  private static final List<TlsVersion> V10_13 = List.of(TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
  private static final List<TlsVersion> V13 = List.of(TlsVersion.TLS_1_3);
  private static final List<TlsVersion> V12 = List.of(TlsVersion.TLS_1_2);
  private static final List<TlsVersion> V11_12 = List.of(TlsVersion.TLS_1_1, TlsVersion.TLS_1_2);
  private static final List<TlsVersion> V10_12 = List.of(TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2);

  private static final List<SecurityPolicy> ALL = new ArrayList<>();

  /** TLS 1.2-1.3, forward-secret suites; the recommended policy. */
  public static final SecurityPolicy TLS13_1_2_2021_06 = define(V12_13, "xxxxxxx..xxxx.........");
  /** TLS 1.2-1.3, forward-secret AES-GCM suites only. */
  public static final SecurityPolicy TLS13_1_2_RES_2021_06 = define(V12_13, "xxxxx....xx...........");
  /** TLS 1.2-1.3, adds static-RSA SHA-2 suites. */
  public static final SecurityPolicy TLS13_1_2_EXT1_2021_06 = define(V12_13, "xxxxxxx..xxxx..xx.xx..");
  /** TLS 1.2-1.3, every TLS 1.2 suite but 3DES. */
  public static final SecurityPolicy TLS13_1_2_EXT2_2021_06 = define(V12_13, "xxxxxxxxxxxxxxxxxxxxx.");
  /** TLS 1.1-1.3. */
  public static final SecurityPolicy TLS13_1_1_2021_06 = define(V11_13, "xxxxxxxxxxxxxxxxxxxxx.");
  /** TLS 1.0-1.3; also the backend policy behind a TLS 1.3 listener policy. */
  public static final SecurityPolicy TLS13_1_0_2021_06 = define(V10_13, "xxxxxxxxxxxxxxxxxxxxx.");
  /** TLS 1.3 only. */
  public static final SecurityPolicy TLS13_1_3_2021_06 = define(V13, "xxx...................");
  /** TLS 1.2, forward-secret AES-GCM suites. */
  public static final SecurityPolicy FS_1_2_RES_2020_10 = define(V12, "...xx....xx...........");
  /** TLS 1.2, forward-secret SHA-2 suites. */
  public static final SecurityPolicy FS_1_2_RES_2019_08 = define(V12, "...xxxx..xxxx.........");
  /** TLS 1.2, forward-secret suites. */
  public static final SecurityPolicy FS_1_2_2019_08 = define(V12, "...xxxxxxxxxxxx.......");
  /** TLS 1.1-1.2, forward-secret suites. */
  public static final SecurityPolicy FS_1_1_2019_08 = define(V11_12, "...xxxxxxxxxxxx.......");
  /** TLS 1.0-1.2, forward-secret suites. */
  public static final SecurityPolicy FS_2018_06 = define(V10_12, "...xxxxxxxxxxxx.......");
  /** TLS 1.2, every TLS 1.2 suite but 3DES. */
  public static final SecurityPolicy TLS_1_2_EXT_2018_06 = define(V12, "...xxxxxxxxxxxxxxxxxx.");
  /** TLS 1.2, SHA-2 suites. */
  public static final SecurityPolicy TLS_1_2_2017_01 = define(V12, "...xxxx..xxxx..xx.xx..");
  /** TLS 1.1-1.2. */
  public static final SecurityPolicy TLS_1_1_2017_01 = define(V11_12, "...xxxxxxxxxxxxxxxxxx.");
  /** TLS 1.0-1.2; the default policy and the backend policy behind any other listener policy. */
  public static final SecurityPolicy POLICY_2016_08 = define(V10_12, "...xxxxxxxxxxxxxxxxxx.");
  /** TLS 1.0-1.2 with 3DES last; only for legacy clients that need {@code DES-CBC3-SHA}. */
  public static final SecurityPolicy TLS_1_0_2015_04 = define(V10_12, "...xxxxxxxxxxxxxxxxxxx");
  /** Identical to {@link #POLICY_2016_08}. */
  public static final SecurityPolicy POLICY_2015_05 = define(V10_12, "...xxxxxxxxxxxxxxxxxx.");

  /** The policy a TLS listener gets when none is named: {@code ELBSecurityPolicy-2016-08}. */
  public static final SecurityPolicy DEFAULT = named(SecurityPolicies.DEFAULT);
  /** The recommended policy: {@code ELBSecurityPolicy-TLS13-1-2-2021-06}. */
  public static final SecurityPolicy RECOMMENDED = named(SecurityPolicies.RECOMMENDED);

  static {
    if (ALL.size() != SecurityPolicies.NAMES.size()) {
      throw new AssertionError(
          "SecurityPolicy: " + ALL.size() + " rows (expected: one per name of SecurityPolicies.NAMES, "
              + SecurityPolicies.NAMES.size() + ")");
    }
  }

  private static final List<SecurityPolicy> ALL_VIEW = Collections.unmodifiableList(ALL);

  private final String name;
  private final List<TlsVersion> protocols;
  private final List<CipherSuite> ciphers;

  private SecurityPolicy(String name, List<TlsVersion> protocols, List<CipherSuite> ciphers) {
    this.name = name;
    this.protocols = protocols;
    this.ciphers = ciphers;
  }

  private static SecurityPolicy define(List<TlsVersion> protocols, String members) {
    if (ALL.size() == SecurityPolicies.NAMES.size()) {
      throw new AssertionError("SecurityPolicy: more rows than SecurityPolicies.NAMES has names");
    }
    String name = SecurityPolicies.NAMES.get(ALL.size());
    CipherSuite[] all = CipherSuite.values();
    if (members.length() != all.length) {
      throw new AssertionError(name + ": membership string of length " + members.length());
    }
    List<CipherSuite> ciphers = new ArrayList<>();
    for (int i = 0; i < all.length; i++) {
      if (members.charAt(i) == 'x') {
        ciphers.add(all[i]);
      }
    }
    SecurityPolicy p = new SecurityPolicy(name, protocols, List.copyOf(ciphers));
    ALL.add(p);
    return p;
  }

  /**
   * {@return every policy, in the order the documentation lists them (the order of {@link SecurityPolicies#NAMES})}
   */
  public static List<SecurityPolicy> all() {
    return ALL_VIEW;
  }

  /**
   * {@return the policy called {@code name}, exactly as spelled ({@code ELBSecurityPolicy-2016-08})}
   *
   * @param name the name
   * @throws IllegalArgumentException naming every valid policy when {@code name} is unknown
   */
  public static SecurityPolicy named(String name) {
    for (SecurityPolicy p : ALL) {
      if (p.name.equals(name)) {
        return p;
      }
    }
    throw Problems.invalid("sslPolicy", name, "one of " + SecurityPolicies.NAMES);
  }

  /**
   * {@return the policy for connections to TLS targets behind a listener that uses {@code listenerPolicy}:
   * {@code ELBSecurityPolicy-TLS13-1-0-2021-06} behind a TLS 1.3 policy, otherwise
   * {@code ELBSecurityPolicy-2016-08}} The backend policy cannot be chosen.
   *
   * @param listenerPolicy the listener policy
   */
  public static SecurityPolicy backendFor(SecurityPolicy listenerPolicy) {
    return listenerPolicy.isTls13Capable() ? TLS13_1_0_2021_06 : POLICY_2016_08;
  }

  /**
   * {@return the policy table, as a describe call would return it: policy name to its protocols
   * ({@code SslProtocols}) and its ciphers with their 1-based priority} Iteration follows
   * {@link #all()}.
   */
  public static Map<String, Description> describe() {
    Map<String, Description> table = new LinkedHashMap<>();
    for (SecurityPolicy p : ALL) {
      table.put(p.name, p.description());
    }
    return Collections.unmodifiableMap(table);
  }

  /** {@return this policy as one row of {@link #describe()}} */
  public Description description() {
    List<String> protocolNames = new ArrayList<>();
    for (TlsVersion v : protocols) {
      protocolNames.add(v.protocolName());
    }
    List<Description.Cipher> rows = new ArrayList<>();
    for (int i = 0; i < ciphers.size(); i++) {
      CipherSuite c = ciphers.get(i);
      rows.add(new Description.Cipher(c.policyName(), c.opensslName(), c.ianaName(), i + 1));
    }
    return new Description(name, List.copyOf(protocolNames), List.copyOf(rows));
  }

  /** {@return the policy's name, {@code ELBSecurityPolicy-2016-08}} */
  public String name() {
    return name;
  }

  /** {@return the protocol versions, lowest first} */
  public List<TlsVersion> protocols() {
    return protocols;
  }

  /** {@return the cipher suites, the server's most preferred first} */
  public List<CipherSuite> ciphers() {
    return ciphers;
  }

  /** {@return whether the policy allows TLS 1.3 (the {@code ELBSecurityPolicy-TLS13-*} family)} */
  public boolean isTls13Capable() {
    return protocols.contains(TlsVersion.TLS_1_3);
  }

  /** {@return whether every suite is forward secret (TLS 1.3 or ECDHE)} */
  public boolean isForwardSecretOnly() {
    for (CipherSuite c : ciphers) {
      if (!c.isForwardSecret()) {
        return false;
      }
    }
    return true;
  }

  /** {@return the protocol names JSSE and Netty take, lowest first} */
  public List<String> protocolNames() {
    List<String> out = new ArrayList<>();
    for (TlsVersion v : protocols) {
      out.add(v.protocolName());
    }
    return List.copyOf(out);
  }

  /** {@return the JSSE cipher suite names in server preference order} */
  public List<String> jsseCipherSuites() {
    List<String> out = new ArrayList<>();
    for (CipherSuite c : ciphers) {
      out.add(c.jsseName());
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * One policy as a describe call shows it.
   *
   * @param name the policy name
   * @param sslProtocols the protocol names, lowest first
   * @param ciphers the cipher suites with priority 1 for the server's first choice
   */
  public record Description(String name, List<String> sslProtocols, List<Cipher> ciphers) {
    /**
     * A cipher row.
     *
     * @param name the name as the policy tables print it
     * @param opensslName the OpenSSL name
     * @param ianaName the IANA (JSSE) name
     * @param priority 1-based position in the server's preference order
     */
    public record Cipher(String name, String opensslName, String ianaName, int priority) {}
  }
}
