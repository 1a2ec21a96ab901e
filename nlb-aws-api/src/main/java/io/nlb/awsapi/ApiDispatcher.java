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

  /** A response: status, content type, body, and any further headers. */
  record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    Response(int status, String contentType, byte[] body) {
      this(status, contentType, body, Map.of());
    }
  }

  /** The path prefix of Smithy RPC v2 CBOR requests to CloudWatch. */
  static final String CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/";

  private final SigV4Verifier verifier;
  private final ElbV2Service elb;
  private final CloudWatchService cloudWatch;
  private final ZonalShiftService zonalShifts;
  private final @Nullable StateFile state;
  private final @Nullable SharedChanges shared;
  private final RandomGenerator random;

  ApiDispatcher(SigV4Verifier verifier, ElbV2Service elb, CloudWatchService cloudWatch, ZonalShiftService zonalShifts,
      @Nullable StateFile state, @Nullable SharedChanges shared, RandomGenerator random) {
    this.verifier = verifier;
    this.elb = elb;
    this.cloudWatch = cloudWatch;
    this.zonalShifts = zonalShifts;
    this.state = state;
    this.shared = shared;
    this.random = random;
  }

  Response handle(SigV4Verifier.SignedRequest request) {
    String requestId = new UUID(random.nextLong(), random.nextLong()).toString();
    if ("rpc-v2-cbor".equals(first(request.headers(), "smithy-protocol"))) {
      return cbor(request, requestId);
    }
    if (ZonalShiftService.handles(request.rawPath())) {
      return restJson(request, requestId);
    }
    String namespace = ElbV2Service.NAMESPACE;
    try {
      String service = verifier.verify(request);
      if (service.equals(CloudWatchService.SERVICE)) {
        namespace = CloudWatchService.XML_NAMESPACE;
      }
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
      if (service.equals(CloudWatchService.SERVICE)) {
        String version = p.getOrNull("Version");
        if (version != null && !version.equals(CloudWatchService.VERSION)) {
          throw ApiException.badRequest("InvalidAction", "Could not find operation " + action + " for version " + version
              + " (expected: Version " + CloudWatchService.VERSION + ")");
        }
        Map<String, Object> result = cloudWatch.handle(action, CloudWatchService.tree(params));
        return new Response(200, "text/xml", CloudWatchService.xml(action, result, requestId).getBytes(StandardCharsets.UTF_8));
      }
      String version = p.getOrNull("Version");
      if (version != null && !version.equals(ElbV2Service.VERSION)) {
        throw ApiException.badRequest("InvalidAction", "Could not find operation " + action + " for version " + version
            + " (expected: Version " + ElbV2Service.VERSION + ")");
      }
      String xml = shared != null && elb.knows(action) && !elb.isReadOnly(action)
          ? shared.handle(action, p, requestId)
          : elb.handle(action, p, requestId);
      if (state != null && !elb.isReadOnly(action)) {
        state.write(elb);
      }
      return new Response(200, "text/xml", xml.getBytes(StandardCharsets.UTF_8));
    } catch (ApiException e) {
      return error(e, requestId, namespace);
    } catch (RuntimeException e) {
      log.warn("request {} failed", requestId, e);
      return error(new ApiException("InternalFailure", 500, "The request processing has failed because of an unknown "
          + "error (request " + requestId + ")"), requestId, namespace);
    }
  }

  /**
   * A CloudWatch request in Smithy RPC v2 CBOR, as current AWS SDKs send it: the operation in the
   * path, the input a CBOR map, the output too; errors carry {@code __type} and, CloudWatch being
   * query-compatible, the Query error code in {@code x-amzn-query-error}.
   */
  private Response cbor(SigV4Verifier.SignedRequest request, String requestId) {
    try {
      String service = verifier.verify(request);
      if (!service.equals(CloudWatchService.SERVICE)) {
        throw ApiException.badRequest("UnknownOperationException", "service: " + service + " (expected: "
            + CloudWatchService.SERVICE + " for rpc-v2-cbor requests)");
      }
      if (!request.rawPath().startsWith(CBOR_PATH)) {
        throw ApiException.badRequest("UnknownOperationException", "path: " + request.rawPath() + " (expected: "
            + CBOR_PATH + "<operation>)");
      }
      String operation = request.rawPath().substring(CBOR_PATH.length());
      Map<String, Object> in;
      if (request.body().length == 0) {
        in = Map.of();
      } else {
        Object decoded;
        try {
          decoded = Cbor.decode(request.body());
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest("SerializationException", String.valueOf(e.getMessage()));
        }
        if (!(decoded instanceof Map<?, ?>)) {
          throw ApiException.badRequest("SerializationException", "body: " + decoded + " (expected: a CBOR map)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) decoded;
        in = m;
      }
      Map<String, Object> result = cloudWatch.handle(operation, in);
      return new Response(200, "application/cbor", Cbor.encode(result),
          Map.of("smithy-protocol", "rpc-v2-cbor", "x-amzn-requestid", requestId));
    } catch (ApiException e) {
      return cborError(e, requestId);
    } catch (RuntimeException e) {
      log.warn("request {} failed", requestId, e);
      return cborError(new ApiException("InternalServiceError", 500, "The request processing has failed (request "
          + requestId + ")"), requestId);
    }
  }

  /**
   * An ARC zonal-shift request (REST-JSON): the operation is the method and path, the input a
   * JSON body and query parameters; errors carry their type in {@code x-amzn-ErrorType} and a
   * JSON body with {@code message} (and {@code reason} where the shape has one).
   */
  private Response restJson(SigV4Verifier.SignedRequest request, String requestId) {
    try {
      String service;
      try {
        service = verifier.verify(request);
      } catch (ApiException e) {
        throw new ZonalShiftService.Refusal(e.code(), e.status(), String.valueOf(e.getMessage()), Map.of());
      }
      if (!service.equals(ZonalShiftService.SERVICE)) {
        throw new ZonalShiftService.Refusal("UnknownOperationException", 404, "service: " + service + " (expected: "
            + ZonalShiftService.SERVICE + " for " + request.rawPath() + ")", Map.of());
      }
      ZonalShiftService.Answer a;
      if (shared != null && !request.method().equals("GET")) {
        try {
          a = shared.shift(request.method(), request.rawPath(), request.rawQuery(), request.body());
        } catch (ApiException e) {
          throw new ZonalShiftService.Refusal(e.code().equals("ServiceUnavailable") ? "InternalServerException" : "ValidationException",
              e.status(), String.valueOf(e.getMessage()), Map.of());
        }
      } else {
        a = zonalShifts.handle(request.method(), request.rawPath(), request.rawQuery(), request.body());
      }
      return new Response(a.status(), "application/json", Json.write(a.body()).getBytes(StandardCharsets.UTF_8),
          Map.of("x-amzn-RequestId", requestId));
    } catch (ZonalShiftService.Refusal e) {
      return jsonError(e.type, e.status, String.valueOf(e.getMessage()), e.fields, requestId);
    } catch (RuntimeException e) {
      log.warn("request {} failed", requestId, e);
      return jsonError("InternalServerException", 500, "The request processing has failed (request " + requestId + ")", Map.of(),
          requestId);
    }
  }

  private static Response jsonError(String type, int status, String message, Map<String, Object> fields, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message);
    body.putAll(fields);
    return new Response(status, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8),
        Map.of("x-amzn-ErrorType", type, "x-amzn-RequestId", requestId));
  }

  private static Response cborError(ApiException e, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    String type = e.code().endsWith("Exception") ? e.code() : e.code() + "Exception";
    body.put("__type", "com.amazonaws.cloudwatch#" + type);
    body.put("message", String.valueOf(e.getMessage()));
    return new Response(e.status(), "application/cbor", Cbor.encode(body), Map.of("smithy-protocol", "rpc-v2-cbor",
        "x-amzn-query-error", e.code() + ";" + e.type(), "x-amzn-requestid", requestId));
  }

  static Response error(ApiException e, String requestId) {
    return error(e, requestId, ElbV2Service.NAMESPACE);
  }

  static Response error(ApiException e, String requestId, String namespace) {
    String xml = new Xml().root("ErrorResponse", namespace)
        .start("Error").text("Type", e.type()).text("Code", e.code()).text("Message", String.valueOf(e.getMessage())).end()
        .text("RequestId", requestId).finish();
    return new Response(e.status(), "text/xml", xml.getBytes(StandardCharsets.UTF_8));
  }

  private static void decode(String form, Map<String, String> into) {
    QueryStringDecoder d = new QueryStringDecoder(form, StandardCharsets.UTF_8, false, 10_000);
    Map<String, List<String>> parameters;
    try {
      parameters = d.parameters();
    } catch (IllegalArgumentException e) {
      // The common errors give MalformedQueryString status 404.
      throw new ApiException("MalformedQueryString", 404, "parameters: " + e.getMessage()
          + " (expected: application/x-www-form-urlencoded name=value pairs)");
    }
    for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
      List<String> v = e.getValue();
      into.put(e.getKey(), v.isEmpty() ? "" : v.get(v.size() - 1));
    }
  }

  private static @Nullable String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
