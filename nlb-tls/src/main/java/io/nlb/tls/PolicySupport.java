package io.nlb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.nlb.common.Problems;
import java.security.NoSuchAlgorithmException;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Whether a {@link TlsProvider} can serve a {@link SecurityPolicy} exactly: every protocol, every
 * cipher suite, in the policy's order. When it cannot, the result names what is missing and the
 * setting that would fix it; building a context for such a policy fails with {@link #message()}
 * rather than serving a different policy.
 *
 * <pre>{@code
 * PolicySupport s = PolicySupport.check(SecurityPolicy.DEFAULT, TlsProvider.JDK);
 * if (!s.exact()) log.warn(s.message());
 * }</pre>
 *
 * <p>For the JDK the answer reads the JVM's effective {@code jdk.tls.disabledAlgorithms} and the
 * default {@link SSLContext}'s supported protocols and suites; for OpenSSL it asks netty-tcnative.
 * The results are computed per call (cheap; done when a listener's state is built).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class PolicySupport {
  private final SecurityPolicy policy;
  private final TlsProvider provider;
  private final List<TlsVersion> missingProtocols;
  private final List<CipherSuite> missingCiphers;
  private final List<String> problems;
  private final String fix;

  private PolicySupport(SecurityPolicy policy, TlsProvider provider, List<TlsVersion> missingProtocols,
      List<CipherSuite> missingCiphers, List<String> problems, String fix) {
    this.policy = policy;
    this.provider = provider;
    this.missingProtocols = List.copyOf(missingProtocols);
    this.missingCiphers = List.copyOf(missingCiphers);
    this.problems = List.copyOf(problems);
    this.fix = fix;
  }

  /**
   * Checks {@code policy} against {@code provider} as this JVM is configured now; for {@link
   * TlsProvider#AUTO}, against the provider it resolves to (named by {@link #provider()}).
   *
   * @param policy the security policy
   * @param provider the provider
   * @return the {@code PolicySupport}
   */
  public static PolicySupport check(SecurityPolicy policy, TlsProvider provider) {
    return switch (provider) {
      case JDK -> checkJdk(policy);
      case OPENSSL -> checkOpenSsl(policy);
      case AUTO -> check(policy, provider.resolve(policy));
    };
  }

  private static PolicySupport checkJdk(SecurityPolicy policy) {
    List<String> disabled = disabledAlgorithms();
    Set<String> protocols;
    Set<String> suites;
    try {
      SSLParameters supported = SSLContext.getDefault().getSupportedSSLParameters();
      protocols = new LinkedHashSet<>(Arrays.asList(supported.getProtocols()));
      suites = new LinkedHashSet<>(Arrays.asList(supported.getCipherSuites()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no default SSLContext", e);
    }
    List<TlsVersion> missingProtocols = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<String> blockers = new LinkedHashSet<>();
    for (TlsVersion v : policy.protocols()) {
      List<String> by = blocking(disabled, v.protocolName(), List.of(v.protocolName()));
      if (!by.isEmpty() || !protocols.contains(v.protocolName())) {
        missingProtocols.add(v);
        blockers.addAll(by);
        problems.add(v.protocolName() + (by.isEmpty() ? " not implemented by this JVM" : " disabled by " + by));
      }
    }
    List<CipherSuite> missingCiphers = new ArrayList<>();
    for (CipherSuite c : policy.ciphers()) {
      List<String> by = blocking(disabled, c.jsseName(), components(c));
      if (!by.isEmpty() || !suites.contains(c.jsseName())) {
        missingCiphers.add(c);
        blockers.addAll(by);
        problems.add(c.jsseName() + (by.isEmpty() ? " not supported by this JVM" : " disabled by " + by));
      }
    }
    String fix = blockers.isEmpty()
        ? (problems.isEmpty() ? "" : "use a JVM whose JSSE implements the missing protocols and suites")
        : "remove " + blockers + " from the security property jdk.tls.disabledAlgorithms "
            + "(in $JAVA_HOME/conf/security/java.security, or a file passed with -Djava.security.properties=<file>)";
    return new PolicySupport(policy, TlsProvider.JDK, missingProtocols, missingCiphers, problems, fix);
  }

  private static PolicySupport checkOpenSsl(SecurityPolicy policy) {
    if (!TlsProvider.OpenSslProbe.available()) {
      List<String> problems = List.of("OpenSSL is not available: " + TlsProvider.OpenSslProbe.unavailabilityCause());
      return new PolicySupport(policy, TlsProvider.OPENSSL, policy.protocols(), policy.ciphers(), problems,
          "add io.netty:netty-tcnative-boringssl-static for this platform to the class path");
    }
    return OpenSslCheck.check(policy);
  }

  /** Separate class: loads {@link OpenSsl} only once tcnative is known to be present. */
  private static final class OpenSslCheck {
    static PolicySupport check(SecurityPolicy policy) {
      Set<String> protocols = new LinkedHashSet<>();
      try {
        SslContext ctx = SslContextBuilder.forClient().sslProvider(TlsProvider.OPENSSL.nettyProvider()).build();
        SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT);
        try {
          protocols.addAll(Arrays.asList(engine.getSupportedProtocols()));
        } finally {
          ReferenceCountUtil.release(engine);
        }
      } catch (SSLException e) {
        throw new IllegalStateException("cannot make an OpenSSL context", e);
      }
      Set<String> suites = OpenSsl.availableOpenSslCipherSuites();
      List<TlsVersion> missingProtocols = new ArrayList<>();
      List<CipherSuite> missingCiphers = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (TlsVersion v : policy.protocols()) {
        if (!protocols.contains(v.protocolName())) {
          missingProtocols.add(v);
          problems.add(v.protocolName() + " not supported by " + OpenSsl.versionString());
        }
      }
      for (CipherSuite c : policy.ciphers()) {
        if (!suites.contains(c.opensslName())) {
          missingCiphers.add(c);
          problems.add(c.opensslName() + " not implemented by " + OpenSsl.versionString());
        }
      }
      if (policy.isTls13Capable()) {
        // BoringSSL enables its three TLS 1.3 suites whatever it is told and takes the first of them
        // in the client's list; it cannot follow the policy's order.
        problems.add("TLS 1.3 suites cannot be put in server order by " + OpenSsl.versionString());
      }
      String fix = problems.isEmpty() ? "" : "use TlsProvider.JDK for this policy, or AUTO to run on OPENSSL the handshakes it gets right";
      return new PolicySupport(policy, TlsProvider.OPENSSL, missingProtocols, missingCiphers, problems, fix);
    }
  }

  /**
   * {@return the entries of {@code jdk.tls.disabledAlgorithms} in force, as written (constraints included)}
   */
  public static List<String> disabledAlgorithms() {
    String v = Security.getProperty("jdk.tls.disabledAlgorithms");
    List<String> out = new ArrayList<>();
    if (v != null) {
      for (String e : v.split(",")) {
        if (!e.isBlank()) {
          out.add(e.trim());
        }
      }
    }
    return out;
  }

  /** Which entries disable {@code name}: exact names, {@code TLS_RSA_*} patterns, or a component name. */
  static List<String> blocking(List<String> disabled, String name, List<String> components) {
    List<String> out = new ArrayList<>();
    for (String entry : disabled) {
      String e = entry.trim();
      if (e.contains(" ")) {
        continue; // keySize and usage constraints concern keys and certificates, not names
      }
      boolean hit = e.equalsIgnoreCase(name)
          || (e.endsWith("*") && name.toUpperCase(Locale.ROOT).startsWith(e.substring(0, e.length() - 1).toUpperCase(Locale.ROOT)));
      for (String c : components) {
        hit |= e.equalsIgnoreCase(c);
      }
      if (hit) {
        out.add(e);
      }
    }
    return out;
  }

  /** The algorithm names JSSE checks a suite against: key exchange, bulk cipher and MAC. */
  static List<String> components(CipherSuite c) {
    String n = c.ianaName();
    if (c.isTls13()) {
      String body = n.substring("TLS_".length());
      int last = body.lastIndexOf('_');
      return List.of(body.substring(0, last), body.substring(last + 1));
    }
    int with = n.indexOf("_WITH_");
    String kx = n.substring("TLS_".length(), with);
    String rest = n.substring(with + "_WITH_".length());
    int last = rest.lastIndexOf('_');
    String cipher = rest.substring(0, last);
    String mac = rest.substring(last + 1);
    List<String> out = new ArrayList<>(List.of(kx, cipher, mac, mac.equals("SHA") ? "HmacSHA1" : "Hmac" + mac));
    if (kx.startsWith("ECDHE")) {
      out.add("ECDHE");
    }
    if (mac.equals("SHA")) {
      out.add("SHA1");
    }
    return out;
  }

  /** {@return the policy checked} */
  public SecurityPolicy policy() {
    return policy;
  }

  /** {@return the provider checked} */
  public TlsProvider provider() {
    return provider;
  }

  /** {@return whether the provider serves the policy exactly} */
  public boolean exact() {
    return problems.isEmpty();
  }

  /** {@return the policy's protocols the provider cannot serve} */
  public List<TlsVersion> missingProtocols() {
    return missingProtocols;
  }

  /** {@return the policy's cipher suites the provider cannot serve, in policy order} */
  public List<CipherSuite> missingCiphers() {
    return missingCiphers;
  }

  /** {@return every reason the policy is not exact (empty when it is)} */
  public List<String> problems() {
    return problems;
  }

  /** {@return the setting that would make the policy exact, or "" when it already is} */
  public String fix() {
    return fix;
  }

  /**
   * {@return one line for an error: {@code "sslPolicy: \"...\" (expected: a policy JDK serves exactly;
   * missing ...; fix: ...)"}}
   */
  public String message() {
    if (exact()) {
      return policy.name() + " is served exactly by " + provider;
    }
    return Problems.message("sslPolicy", policy.name(), "a policy " + provider + " serves exactly; " + String.join("; ", problems)
        + (fix.isEmpty() ? "" : "; fix: " + fix));
  }

  /**
   * Throws {@link IllegalStateException} with {@link #message()} unless {@link #exact()}.
   *
   * @return the {@code PolicySupport}
   */
  public PolicySupport requireExact() {
    if (!exact()) {
      throw new IllegalStateException(message());
    }
    return this;
  }

  @Override
  public String toString() {
    return message();
  }
}
