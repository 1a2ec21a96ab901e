package io.nlb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One public operation as the {@link Dispatcher} runs it: its elbv2 name and request fields (what
 * the audit event records), how it runs, and what its response shows. The public methods of
 * {@link Nlb}, {@link LoadBalancer}, {@link TargetGroup} and {@link Listener} only describe their
 * command and hand it over; auditing, the quota gate and the target-set event happen once, at
 * dispatch.
 *
 * <p>Immutable once {@link #response} has been set; built and dispatched on the caller's thread.
 */
final class Command<T> {
  /** How a command runs. */
  private interface Runner<T> {
    T run(Dispatcher d);
  }

  final String name;
  final Map<String, Object> request;
  private final Runner<T> runner;
  private final Function<? super T, Map<String, Object>> response;

  private Command(String name, Map<String, Object> request, Runner<T> runner, Function<? super T, Map<String, Object>> response) {
    this.name = name;
    this.request = request;
    this.runner = runner;
    this.response = response;
  }

  /** A command whose body runs on the control plane, serially with every other. */
  static <T> Command<T> onControl(String name, Map<String, Object> request, Supplier<T> body) {
    return new Command<>(name, request, d -> d.control().call(body), r -> Map.of());
  }

  /** {@link #onControl(String, Map, Supplier)} for a body without a result. */
  static Command<Boolean> onControl(String name, Map<String, Object> request, Runnable body) {
    return onControl(name, request, () -> {
      body.run();
      return Boolean.TRUE;
    });
  }

  /**
   * A command whose body runs on the control plane and starts a binding; the caller then waits for
   * it outside the control plane, and a failed binding takes the change back ({@link
   * Dispatcher#commit}).
   */
  static <T> Command<T> binding(String name, Map<String, Object> request, String path, Supplier<Change<T>> body) {
    return new Command<>(name, request, d -> d.commit(path, body), r -> Map.of());
  }

  /**
   * A command whose body, on the control plane, proposes a change that counts against the quotas:
   * the {@link QuotaGate} admits it (or takes it back) before it commits.
   */
  static <T> Command<T> proposing(String name, Map<String, Object> request, Supplier<QuotaGate.Proposed<T>> body) {
    return new Command<>(name, request, d -> d.control().call(() -> d.gate().admit(body.get())), r -> Map.of());
  }

  /** {@link #binding} for a body that proposes a change the {@link QuotaGate} admits first. */
  static <T> Command<T> bindingProposing(String name, Map<String, Object> request, String path,
      Supplier<QuotaGate.Proposed<Change<T>>> body) {
    return new Command<>(name, request, d -> d.commit(path, () -> d.gate().admit(body.get())), r -> Map.of());
  }

  /**
   * A command made of several control-plane steps that its body submits itself (waiting in between
   * for bindings or for calls that must not run on the control plane).
   */
  static <T> Command<T> steps(String name, Map<String, Object> request, Supplier<T> body) {
    return new Command<>(name, request, d -> body.get(), r -> Map.of());
  }

  /** This command with {@code describe} giving the response elements of its audit event. */
  Command<T> response(Function<? super T, Map<String, Object>> describe) {
    return new Command<>(name, request, runner, describe);
  }

  T run(Dispatcher d) {
    return runner.run(d);
  }

  Map<String, Object> describe(T result) {
    return response.apply(result);
  }

  // ------------------------------------------------------------------ request vocabulary

  /** An ordered map for request parameters and response elements; null values are left out. */
  static Map<String, Object> fields(@Nullable Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      Object v = keyValues[i + 1];
      if (v != null) {
        m.put(String.valueOf(keyValues[i]), v);
      }
    }
    return m;
  }

  /** {@code first}'s fields, then {@code rest}'s. */
  static Map<String, Object> join(Map<String, Object> first, Map<String, Object> rest) {
    Map<String, Object> m = new LinkedHashMap<>(first);
    m.putAll(rest);
    return m;
  }

  static List<Object> describeTargets(Collection<Target> targets) {
    List<Object> out = new ArrayList<>();
    for (Target t : targets) {
      out.add(fields("id", t.id(), "port", t.port().isPresent() ? t.port().getAsInt() : null, "availabilityZone", t.zoneOrNull()));
    }
    return out;
  }

  static Map<String, Object> describeListener(ListenerConfig c) {
    List<Object> certs = new ArrayList<>();
    c.certificate().ifPresent(x -> certs.add(fields("certificateId", x.id(), "isDefault", true)));
    c.certificates().forEach(x -> certs.add(fields("certificateId", x.id(), "isDefault", false)));
    return fields("protocol", c.protocol().name(), "port", c.port(), "defaultActions",
        List.of(fields("type", "forward", "targetGroupName", c.targetGroup())),
        "attributes", c.attributes().explicitValues(),
        "sslPolicy", c.sslPolicy().orElse(null), "alpnPolicy", c.protocol() == Protocol.TLS ? c.alpnPolicy().apiName() : null,
        "certificates", certs.isEmpty() ? null : certs, "vpcEndpointId", c.vpcEndpointId().orElse(null));
  }

  static List<Object> ids(ServerCertificate... certificates) {
    List<Object> ids = new ArrayList<>();
    for (ServerCertificate c : certificates) {
      ids.add(c.id());
    }
    return ids;
  }
}
