package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Scheduler;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The zonal-shift service over a library without sockets, on a manual clock: expiry, adoption, paging. */
class ZonalShiftServiceTest {
  /** A scheduler whose time moves only when a test says so. */
  private static final class ManualTime implements Scheduler {
    private record Task(Instant due, Runnable run, boolean[] cancelled) {}

    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public Instant now() {
      return now;
    }

    @Override
    public long nanoTime() {
      return now.toEpochMilli() * 1_000_000L;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
      boolean[] cancelled = new boolean[1];
      tasks.add(new Task(now.plus(delay), task, cancelled));
      return () -> cancelled[0] = true;
    }

    void advance(Duration d) {
      now = now.plus(d);
      for (int round = 0; round < 100; round++) {
        Task due = null;
        synchronized (this) {
          for (Task t : tasks) {
            if (!t.due().isAfter(now) && (due == null || t.due().isBefore(due.due()))) {
              due = t;
            }
          }
          if (due == null) {
            return;
          }
          tasks.remove(due);
        }
        if (!due.cancelled()[0]) {
          due.run().run();
        }
      }
    }
  }

  private final ManualTime time = new ManualTime();
  private final Nlb nlb = Nlb.builder().scheduler(time).build();
  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return time.now();
    }
  };
  private final ElbV2Service elb = new ElbV2Service(nlb, "us-east-2", "123456789012", "elb.us-east-2.amazonaws.com", Map.of(),
      CertificateStore.NONE, clock, new SplittableRandom(7));
  private final ZonalShiftService service = new ZonalShiftService(elb, clock, new SplittableRandom(11));

  @AfterEach
  void close() {
    nlb.close();
  }

  private LoadBalancer lb(String name) {
    nlb.createTargetGroup(TargetGroupConfig.builder(name + "-g", Protocol.TCP, 80).targetType(TargetType.IP).build());
    return nlb.createLoadBalancer(LoadBalancerConfig.builder(name)
        .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo(name + "-g").build()).build());
  }

  private String arn(String name) {
    return elb.loadBalancersByArn().entrySet().stream().filter(e -> e.getValue().name().equals(name)).findFirst().orElseThrow().getKey();
  }

  private ZonalShiftService.Answer call(String method, String path, String query, String body) {
    return service.handle(method, path, query, body.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> items(ZonalShiftService.Answer a) {
    return (List<Map<String, Object>>) java.util.Objects.requireNonNull(a.body().get("items"));
  }

  @Test
  void start_thenClockPassesExpiry_statusExpiredAndUpdateConflicts() {
    LoadBalancer lb = lb("web");
    String arn = arn("web");

    ZonalShiftService.Answer started = call("POST", "/zonalshifts", "", "{\"resourceIdentifier\":\"" + arn
        + "\",\"awayFrom\":\"zone-b\",\"expiresIn\":\"30m\",\"comment\":\"deploy\"}");

    assertThat(started.status()).isEqualTo(201);
    assertThat(started.body()).containsEntry("status", "ACTIVE").containsEntry("awayFrom", "zone-b")
        .containsEntry("startTime", new java.math.BigDecimal("1796637600.000"))
        .containsEntry("expiryTime", new java.math.BigDecimal("1796639400.000"));
    String id = (String) started.body().get("zonalShiftId");
    assertThat(lb.zonalShift()).isPresent();

    time.advance(Duration.ofMinutes(31));

    assertThat(lb.zonalShift()).isEmpty();
    assertThat(items(call("GET", "/zonalshifts", "", ""))).singleElement()
        .satisfies(s -> assertThat(s).containsEntry("zonalShiftId", id).containsEntry("status", "EXPIRED"));
    assertThat(items(call("GET", "/zonalshifts", "status=ACTIVE", ""))).isEmpty();
    assertThatThrownBy(() -> call("PATCH", "/zonalshifts/" + id, "", "{\"comment\":\"late\"}"))
        .isInstanceOfSatisfying(ZonalShiftService.Refusal.class, r -> {
          assertThat(r.type).isEqualTo("ConflictException");
          assertThat(r.status).isEqualTo(409);
          assertThat(r.fields).containsEntry("reason", "ZonalShiftStatusNotActive").containsEntry("zonalShiftId", id);
        });
  }

  @Test
  void shiftStartedThroughTheLibrary_isAdoptedAndCanBeCanceled() {
    LoadBalancer lb = lb("web");
    lb.startZonalShift("zone-a", Duration.ofMinutes(10), "started in code");

    List<Map<String, Object>> active = items(call("GET", "/zonalshifts", "status=ACTIVE", ""));

    assertThat(active).singleElement().satisfies(s -> assertThat(s).containsEntry("comment", "started in code")
        .containsEntry("resourceIdentifier", arn("web")));
    String id = (String) active.get(0).get("zonalShiftId");
    assertThat(call("DELETE", "/zonalshifts/" + id, "", "").body()).containsEntry("status", "CANCELED");
    assertThat(lb.zonalShift()).isEmpty();
    Map<String, Object> resource = call("GET", "/managedresources/" + arn("web").replace(":", "%3A").replace("/", "%2F"), "", "").body();
    assertThat(resource).containsEntry("appliedWeights", Map.of("zone-a", 1.0, "zone-b", 1.0)).containsEntry("zonalShifts", List.of());
  }

  @Test
  void listManagedResources_pagedWithNextToken_badTokenRefused() {
    lb("one");
    lb("two");

    ZonalShiftService.Answer first = call("GET", "/managedresources", "maxResults=1", "");
    String token = (String) first.body().get("nextToken");
    ZonalShiftService.Answer second = call("GET", "/managedresources", "maxResults=1&nextToken=" + token, "");

    assertThat(items(first)).singleElement().satisfies(r -> assertThat(r).containsEntry("availabilityZones", List.of("zone-a", "zone-b")));
    assertThat(items(second)).hasSize(1);
    assertThat(List.of(items(first).get(0).get("name"), items(second).get(0).get("name"))).containsExactlyInAnyOrder("one", "two");
    assertThat(second.body()).doesNotContainKey("nextToken");
    assertThatThrownBy(() -> call("GET", "/managedresources", "nextToken=bogus", ""))
        .isInstanceOfSatisfying(ZonalShiftService.Refusal.class, r -> assertThat(r.fields).containsEntry("reason", "InvalidToken"));
    assertThatThrownBy(() -> call("GET", "/managedresources", "maxResults=0", ""))
        .isInstanceOfSatisfying(ZonalShiftService.Refusal.class, r -> assertThat(r.getMessage()).isEqualTo("maxResults: 0 (expected: 1-100)"));
  }

  @Test
  void start_missingMemberOrMalformedBody_refusedWithTheirShapes() {
    lb("web");

    assertThatThrownBy(() -> call("POST", "/zonalshifts", "", "{\"resourceIdentifier\":\"" + arn("web") + "\"}"))
        .isInstanceOfSatisfying(ZonalShiftService.Refusal.class, r -> {
          assertThat(r.type).isEqualTo("ValidationException");
          assertThat(r.fields).containsEntry("reason", "MissingValue");
          assertThat(r.getMessage()).startsWith("awayFrom: (absent)");
        });
    assertThatThrownBy(() -> call("POST", "/zonalshifts", "", "{\"awayFrom\": "))
        .isInstanceOfSatisfying(ZonalShiftService.Refusal.class, r -> assertThat(r.type).isEqualTo("SerializationException"));
    assertThatThrownBy(() -> call("PUT", "/zonalshifts", "", ""))
        .isInstanceOfSatisfying(ZonalShiftService.Refusal.class, r -> assertThat(r.status).isEqualTo(404));
  }
}
