package io.nlb.core;

import java.time.Instant;

/**
 * An active zonal shift: traffic moves away from one zone of a load balancer until the shift
 * expires or is cancelled. The zone is left out of the DNS records and its node routes to the
 * targets of the other zones.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ZonalShift {
  private final String zone;
  private final Instant startTime;
  private final Instant expiryTime;
  private final String comment;

  ZonalShift(String zone, Instant startTime, Instant expiryTime, String comment) {
    this.zone = zone;
    this.startTime = startTime;
    this.expiryTime = expiryTime;
    this.comment = comment;
  }

  /** {@return the zone traffic moves away from} */
  public String zone() {
    return zone;
  }

  /** {@return when the shift started} */
  public Instant startTime() {
    return startTime;
  }

  /** {@return when the shift ends by itself} */
  public Instant expiryTime() {
    return expiryTime;
  }

  /** {@return the operator's comment} */
  public String comment() {
    return comment;
  }

  @Override
  public String toString() {
    return "ZonalShift{away from " + zone + " until " + expiryTime + ", \"" + comment + "\"}";
  }
}
