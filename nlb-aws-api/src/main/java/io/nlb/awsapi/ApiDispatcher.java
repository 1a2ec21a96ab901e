package io.nlb.awsapi;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request from bytes to response: signature, parameters, action, state write. Not
 * thread-safe: the endpoint calls it from its one operations thread, so actions are serialized
 * and each acknowledged change is on disk before its answer leaves.
 */
final class ApiDispatcher {
  private static final Logger log = LoggerFactory.getLogger(ApiDispatcher.class);

  static final String ELB_SERVICE = "elasticloadbalancing";

  /** A response: status, content type, body. */
  record Response(int status, String contentType, byte[] body) {}

  private final SigV4Verifier verifier;
  private final ElbV2Service elb;
  private final @Nullable StateFile state;
  private final RandomGenerator random;

  ApiDispatcher(SigV4Verifier verifier, ElbV2Service elb, @Nullable StateFile state, RandomGenerator random) {
    this.verifier = verifier;
    this.elb = elb;
    this.state = state;
    this.random = random;
  }

  Response handle(SigV4Verifier.SignedRequest request) {
    String requestId = new UUID(random.nextLong(), random.nextLong()).toString();
    try {
      String service = verifier.verify(request);
      Map<String, String> params = new LinkedHashMap<>();
      String contentType = first(request.headers(), "content-type");
      if (!request.rawQuery().isEmpty()) {
        decode(request.rawQuery(), params);
      }
      if (request.body().length > 0) {
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
          throw ApiException.badRequest("InvalidParameterValue", "Content-Type: " + contentType
              + " (expected: application/x-www-form-urlencoded)");
        }
        decode(new String(request.body(), StandardCharsets.UTF_8), params);
      }
      QueryParams p = new QueryParams(params);
      String action = p.getOrNull("Action");
      if (action == null || action.isEmpty()) {
        throw ApiException.badRequest("MissingAction", "Action: (absent) (expected: the name of an elbv2 action)");
      }
      if (!service.equals(ELB_SERVICE)) {
        throw ApiException.badRequest("InvalidAction", "service: " + service + " (expected: " + ELB_SERVICE + ")");
      }
      String version = p.getOrNull("Version");
      if (version != null && !version.equals(ElbV2Service.VERSION)) {
        throw ApiException.badRequest("InvalidAction", "Could not find operation " + action + " for version " + version
            + " (expected: Version " + ElbV2Service.VERSION + ")");
      }
      String xml = elb.handle(action, p, requestId);
      if (state != null && !elb.isReadOnly(action)) {
        state.write(elb);
      }
      return new Response(200, "text/xml", xml.getBytes(StandardCharsets.UTF_8));
    } catch (ApiException e) {
      return error(e, requestId);
    } catch (RuntimeException e) {
      log.warn("request {} failed", requestId, e);
      return error(new ApiException("InternalFailure", 500, "The request processing has failed because of an unknown "
          + "error (request " + requestId + ")"), requestId);
    }
  }

  static Response error(ApiException e, String requestId) {
    String xml = new Xml().root("ErrorResponse", ElbV2Service.NAMESPACE)
        .start("Error").text("Type", e.type()).text("Code", e.code()).text("Message", String.valueOf(e.getMessage())).end()
        .text("RequestId", requestId).finish();
    return new Response(e.status(), "text/xml", xml.getBytes(StandardCharsets.UTF_8));
  }

  private static void decode(String form, Map<String, String> into) {
    QueryStringDecoder d = new QueryStringDecoder(form, StandardCharsets.UTF_8, false, 10_000);
    for (Map.Entry<String, List<String>> e : d.parameters().entrySet()) {
      List<String> v = e.getValue();
      into.put(e.getKey(), v.isEmpty() ? "" : v.get(v.size() - 1));
    }
  }

  private static @Nullable String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
