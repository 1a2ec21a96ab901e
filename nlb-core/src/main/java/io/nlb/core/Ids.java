package io.nlb.core;

import io.nlb.core.internal.XxHash64;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The ids of one {@link Nlb}'s resources: random, or derived from its identity so that every
 * process of that identity draws the same ones ({@link Nlb.Builder#identity}); and the sequence of
 * registration ids.
 *
 * <p>Control plane only (the random source and the sequence are not thread-safe).
 */
final class Ids {
  /** The XXH64 seed of derived ids and seeds ({@code "NlbIdent"} in ASCII); changing it changes every derived id. */
  private static final long IDENTITY_SEED = 0x4E6C624964656E74L;

  private final @Nullable String identity;
  private final RandomGenerator random;
  private long registrationSequence;

  Ids(@Nullable String identity, RandomGenerator random) {
    this.identity = identity;
    this.random = random;
  }

  long nextRegistrationId() {
    return ++registrationSequence;
  }

  String hexId() {
    return String.format("%016x", random.nextLong());
  }

  /**
   * The id of the resource {@code kind}/{@code name}: derived from the identity when there is one
   * (so every process of that identity draws the same id), else random.
   */
  String hexId(String kind, String name) {
    return identity == null ? hexId() : String.format("%016x", derived(kind + "\u0000" + name));
  }

  /** The flow-hash seed when none was given: derived from the identity, else random. */
  long flowHashSeed() {
    return identity != null ? derived("flowHashSeed") : random.nextLong();
  }

  private long derived(String what) {
    byte[] b = (identity + "\u0000" + what).getBytes(StandardCharsets.UTF_8);
    return XxHash64.hash(b, 0, b.length, IDENTITY_SEED);
  }
}
