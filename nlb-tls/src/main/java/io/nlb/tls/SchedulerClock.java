package io.nlb.tls;

import io.nlb.core.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC {@link Clock} reading {@link Scheduler#now()}, so one injected scheduler drives all time. */
final class SchedulerClock extends Clock {
  private final Scheduler scheduler;
  private final ZoneId zone;

  private SchedulerClock(Scheduler scheduler, ZoneId zone) {
    this.scheduler = scheduler;
    this.zone = zone;
  }

  static Clock of(Scheduler scheduler) {
    return new SchedulerClock(scheduler, ZoneOffset.UTC);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new SchedulerClock(scheduler, zone);
  }

  @Override
  public Instant instant() {
    return scheduler.now();
  }
}
