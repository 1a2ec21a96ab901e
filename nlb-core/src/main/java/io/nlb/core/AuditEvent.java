package io.nlb.core;

import io.nlb.common.JsonStrings;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A record of one control-plane operation, in the spirit of the cloud's API audit trail: the
 * operation's name as the elbv2 API spells it ({@code CreateLoadBalancer}, {@code
 * RegisterTargets}, ...), when it happened, what was asked, what was answered, and whether it was
 * refused (with the error code and message).
 *
 * <p>Request parameters and response elements are plain JSON-like values: strings, numbers,
 * booleans, lists and maps with string keys, in a stable order. {@link #toJson()} renders the event
 * as one line of JSON.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class AuditEvent {
  private final long eventId;
  private final String operation;
  private final Instant time;
  private final Map<String, Object> request;
  private final Map<String, Object> response;
  private final @Nullable ErrorCode errorCode;
  private final @Nullable String errorMessage;

  AuditEvent(long eventId, String operation, Instant time, Map<String, Object> request, Map<String, Object> response,
      @Nullable ErrorCode errorCode, @Nullable String errorMessage) {
    this.eventId = eventId;
    this.operation = operation;
    this.time = time;
    this.request = Collections.unmodifiableMap(new LinkedHashMap<>(request));
    this.response = Collections.unmodifiableMap(new LinkedHashMap<>(response));
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
  }

  /** {@return a number increasing with every event of one {@link Nlb}} */
  public long eventId() {
    return eventId;
  }

  /** {@return the operation's name, as the elbv2 API spells it} */
  public String operation() {
    return operation;
  }

  /** {@return when the operation completed (the control plane's scheduler clock)} */
  public Instant time() {
    return time;
  }

  /** {@return what was asked} */
  public Map<String, Object> requestParameters() {
    return request;
  }

  /** {@return what was answered; empty when the operation was refused} */
  public Map<String, Object> responseElements() {
    return response;
  }

  /** {@return whether the operation succeeded} */
  public boolean succeeded() {
    return errorCode == null;
  }

  /** {@return the error code when the operation was refused} */
  public Optional<ErrorCode> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** {@return the error message when the operation was refused} */
  public Optional<String> errorMessage() {
    return Optional.ofNullable(errorMessage);
  }

  /**
   * {@return one line of JSON: {@code {"eventId":1,"eventTime":"...","eventName":"CreateLoadBalancer",
   * "requestParameters":{...},"responseElements":{...}}}, with {@code errorCode} and {@code
   * errorMessage} instead of response elements when refused}
   */
  public String toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("eventId", eventId);
    out.put("eventTime", time.toString());
    out.put("eventName", operation);
    out.put("requestParameters", request);
    if (errorCode == null) {
      out.put("responseElements", response);
    } else {
      out.put("errorCode", errorCode.apiName());
      out.put("errorMessage", errorMessage == null ? "" : errorMessage);
    }
    StringBuilder sb = new StringBuilder(256);
    JsonStrings.value(sb, out);
    return sb.toString();
  }

  @Override
  public String toString() {
    return toJson();
  }
}
