package io.nlb.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.cluster.EtcdClient.Watch;
import io.nlb.cluster.EtcdClient.WatchEvent;
import io.nlb.cluster.EtcdClient.WatchListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The line subscriber of one watch: parses each JSON line, reports once when it ends. */
final class EtcdWatchStream implements Flow.Subscriber<String>, Watch {
  private final WatchListener listener;
  private final java.util.Set<EtcdWatchStream> registry;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicReference<Flow.@Nullable Subscription> subscription = new AtomicReference<>();

  EtcdWatchStream(WatchListener listener, java.util.Set<EtcdWatchStream> registry) {
    this.listener = listener;
    this.registry = registry;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription.set(s);
    if (ended.get()) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(String line) {
    if (ended.get() || line.isBlank()) {
      return;
    }
    JsonNode root;
    try {
      root = EtcdClient.JSON.readTree(line);
    } catch (IOException e) {
      end(new EtcdException("watch: not JSON: " + EtcdClient.abbreviate(line), e));
      return;
    }
    if (root.has("error")) {
      end(new EtcdException("watch refused: " + root.path("error").path("message").asText(root.path("error").toString())));
      return;
    }
    JsonNode result = root.path("result");
    if (result.path("canceled").asBoolean(false)) {
      long compacted = result.path("compact_revision").asLong(0);
      end(new EtcdException("watch canceled by etcd" + (compacted > 0 ? ": revisions up to " + compacted + " were compacted" : "")
          + " " + result.path("cancel_reason").asText("")));
      return;
    }
    JsonNode events = result.path("events");
    if (events.isArray() && events.size() > 0) {
      List<WatchEvent> out = new ArrayList<>(events.size());
      for (JsonNode e : events) {
        out.add(new WatchEvent("DELETE".equals(e.path("type").asText("PUT")), EtcdClient.kv(e.path("kv"))));
      }
      listener.onEvents(EtcdClient.revision(result), List.copyOf(out));
    }
  }

  @Override
  public void onError(Throwable t) {
    end(t);
  }

  @Override
  public void onComplete() {
    end(new EtcdException("watch: the stream ended"));
  }

  void end(@Nullable Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      registry.remove(this);
      Flow.Subscription s = subscription.get();
      if (s != null) {
        s.cancel();
      }
      listener.onClosed(cause);
    }
  }

  @Override
  public void close() {
    end(null);
  }
}
