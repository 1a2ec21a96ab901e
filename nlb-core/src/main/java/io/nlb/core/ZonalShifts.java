package io.nlb.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The zonal shift of one {@link LoadBalancer}: at most one zone taken out of DNS and routing until
 * an expiry, refused with cross-zone load balancing on. The expiry is a timer whose firing is a
 * command of its own.
 *
 * <p>Control plane only: every method runs inside a command.
 */
final class ZonalShifts {
  private static final Duration MIN_SHIFT = Duration.ofMinutes(1);
  private static final Duration MAX_SHIFT = Duration.ofHours(72);

  private final LoadBalancer lb;
  private final Nlb nlb;
  private @Nullable ZonalShift zonalShift;
  private Scheduler.@Nullable Cancellable shiftExpiry;

  ZonalShifts(LoadBalancer lb, Nlb nlb) {
    this.lb = lb;
    this.nlb = nlb;
  }

  /** The active shift, or null. */
  @Nullable ZonalShift current() {
    return zonalShift;
  }

  /** See {@link LoadBalancer#startZonalShift}; a command. */
  ZonalShift start(String zone, Duration expiresIn, String comment) {
    lb.checkLive();
    if (zonalShift != null) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("zonalShift.zone", zone,
          "no other shift active; one is already away from " + zonalShift.zone() + " (update or cancel it)"));
    }
    if (lb.zonesUnlocked().stream().noneMatch(z -> z.name().equals(zone))) {
      throw new NlbException(ErrorCode.AVAILABILITY_ZONE_NOT_SUPPORTED, Check.message("zonalShift.zone", zone,
          "an enabled zone " + lb.zonesUnlocked().stream().map(Zone::name).toList()));
    }
    if (lb.zonesUnlocked().size() < 2) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("zonalShift.zone", zone,
          "a load balancer with another zone to shift traffic to"));
    }
    checkShiftDuration(expiresIn);
    checkNoCrossZone();
    ZonalShift shift = new ZonalShift(zone, nlb.scheduler.now(), nlb.scheduler.now().plus(expiresIn), comment);
    setShift(shift, expiresIn);
    return shift;
  }

  /** See {@link LoadBalancer#updateZonalShift}; a command. */
  ZonalShift update(Duration expiresIn, String comment) {
    lb.checkLive();
    ZonalShift current = zonalShift;
    if (current == null) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("zonalShift", null, "an active zonal shift to update"));
    }
    checkShiftDuration(expiresIn);
    ZonalShift shift = new ZonalShift(current.zone(), current.startTime(), nlb.scheduler.now().plus(expiresIn), comment);
    setShift(shift, expiresIn);
    return shift;
  }

  /** See {@link LoadBalancer#cancelZonalShift}; a command. */
  void cancel() {
    lb.checkLive();
    if (zonalShift == null) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("zonalShift", null, "an active zonal shift to cancel"));
    }
    clearShift();
  }

  private static void checkShiftDuration(Duration expiresIn) {
    if (expiresIn.compareTo(MIN_SHIFT) < 0 || expiresIn.compareTo(MAX_SHIFT) > 0) {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message("zonalShift.expiresIn", expiresIn, "1 minute to 72 hours"));
    }
  }

  private void checkNoCrossZone() {
    if (lb.attributesUnlocked().crossZoneEnabled()) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(LoadBalancerAttributes.CROSS_ZONE, "true",
          "false; zonal shift is not supported with cross-zone load balancing"));
    }
    for (Listener l : lb.listenersMutable()) {
      TargetGroup tg = nlb.registry.requireTargetGroup("targetGroup", l.configUnlocked().targetGroup());
      if (tg.attributesUnlocked().crossZone() == CrossZone.ENABLED) {
        throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("targetGroup[" + tg.name() + "]." + TargetGroupAttributes.CROSS_ZONE,
            "true", "false or use_load_balancer_configuration; zonal shift is not supported with cross-zone load balancing"));
      }
    }
  }

  private void setShift(ZonalShift shift, Duration expiresIn) {
    Scheduler.Cancellable old = shiftExpiry;
    if (old != null) {
      old.cancel();
    }
    zonalShift = shift;
    shiftExpiry = nlb.scheduler.schedule(expiresIn, () -> nlb.control.execute(() -> {
      if (zonalShift == shift && lb.state() != LoadBalancerState.DELETED) {
        clearShift();
      }
    }));
    lb.routing.republish();
  }

  private void clearShift() {
    Scheduler.Cancellable old = shiftExpiry;
    if (old != null) {
      old.cancel();
    }
    shiftExpiry = null;
    zonalShift = null;
    lb.routing.republish();
  }

  /** Stops the expiry timer (the load balancer is deleted or the {@link Nlb} closed). */
  void cancelTimer() {
    Scheduler.Cancellable t = shiftExpiry;
    if (t != null) {
      t.cancel();
    }
    shiftExpiry = null;
  }
}
