package io.nlb.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TLS implementation a listener runs on.
 *
 * <ul>
 *   <li>{@link #JDK}: JSSE. Always present. Legacy protocols and suites are limited by the JVM's
 *       {@code jdk.tls.disabledAlgorithms} security property.
 *   <li>{@link #OPENSSL}: BoringSSL through netty-tcnative (optional dependency
 *       {@code io.netty:netty-tcnative-boringssl-static}). Faster; lacks some SHA-2 CBC suites and
 *       cannot put TLS 1.3 suites in server order.
 *   <li>{@link #AUTO}: per security policy, OPENSSL where it is available and serves the policy
 *       exactly, JDK otherwise ({@link #resolve}); and where the policy resolves to the JDK while
 *       OPENSSL is available, per handshake: a ClientHello that BoringSSL negotiates exactly as the
 *       policy says (same version, same suite) runs on OPENSSL, any other on the JDK ({@link
 *       TlsListenerState#openSslWhereExact()}). The default of the transport and the launcher.
 * </ul>
 *
 * <p>Whether a provider serves a policy exactly is answered by {@link PolicySupport#check}. With
 * BoringSSL (netty-tcnative 2.0.x) and JDK 17 {@link #resolve} picks OPENSSL for {@code
 * ELBSecurityPolicy-FS-1-2-Res-2020-10} only: every other policy lists CBC suites with SHA-256 or
 * SHA-384 MACs that BoringSSL no longer implements, or allows TLS 1.3, whose suites BoringSSL picks
 * in the client's order rather than the policy's (AES-GCM with 256-bit keys for a client that lists
 * it first, where the policy prefers 128-bit keys). A listener under AUTO still runs those
 * policies' other handshakes on OPENSSL: TLS 1.2 clients whose policy suite BoringSSL has, and
 * TLS 1.3 clients whose first suite is the policy's choice (browsers list AES-128-GCM first); the
 * rest, OpenSSL's own client defaults among them, stay on the JDK, so no client ever negotiates
 * a suite the policy does not allow or prefer.
 *
 * <pre>{@code
 * TlsProvider p = TlsProvider.AUTO.resolve(SecurityPolicy.FS_1_2_RES_2020_10); // OPENSSL when tcnative loads
 * }</pre>
 *
 * @since 0.1
 */
public enum TlsProvider {
  /** JSSE, the JVM's own TLS. */
  JDK,
  /** BoringSSL through netty-tcnative. */
  OPENSSL,
  /** Per policy: {@link #OPENSSL} where it is available and exact, {@link #JDK} otherwise. */
  AUTO;

  /**
   * {@return whether the provider can be used in this process (for OpenSSL: the native library
   * loaded; AUTO always, falling back to the JDK)}
   */
  public boolean isAvailable() {
    return this != OPENSSL || OpenSslProbe.available();
  }

  /**
   * The provider that serves {@code policy}: this one, or for {@link #AUTO} OPENSSL when it is
   * available and serves the policy exactly ({@link PolicySupport#exact()}), else JDK.
   *
   * @param policy the security policy
   * @return {@link #JDK} or {@link #OPENSSL}, never {@link #AUTO}
   */
  public TlsProvider resolve(SecurityPolicy policy) {
    if (this != AUTO) {
      return this;
    }
    return OpenSslProbe.available() && OpenSslProbe.exact(policy) ? OPENSSL : JDK;
  }

  SslProvider nettyProvider() {
    return switch (this) {
      case JDK -> SslProvider.JDK;
      case OPENSSL -> SslProvider.OPENSSL;
      case AUTO -> throw new IllegalStateException("AUTO names no implementation; resolve it against a policy first");
    };
  }

  /** Keeps every touch of {@link OpenSsl} behind one class, so a missing tcnative fails softly. */
  static final class OpenSslProbe {
    /** What BoringSSL can do does not change while the process runs: checked once per policy. */
    private static final Map<SecurityPolicy, Boolean> EXACT = new ConcurrentHashMap<>();

    private OpenSslProbe() {}

    static boolean exact(SecurityPolicy policy) {
      return EXACT.computeIfAbsent(policy, p -> PolicySupport.check(p, OPENSSL).exact());
    }

    static boolean available() {
      try {
        return OpenSsl.isAvailable();
      } catch (LinkageError e) {
        return false;
      }
    }

    static String unavailabilityCause() {
      try {
        Throwable t = OpenSsl.unavailabilityCause();
        return t == null ? "available" : String.valueOf(t.getMessage());
      } catch (LinkageError e) {
        return "netty-tcnative is not on the class path (" + e + ")";
      }
    }
  }
}
