package io.nlb.awsapi;

import io.nlb.core.ErrorCode;
import io.nlb.core.NlbException;

/**
 * A refused request: the AWS error code, the HTTP status it travels with, whether the caller
 * ({@code Sender}) or the service ({@code Receiver}) is at fault, and the message.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int status;

  ApiException(String code, int status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  /** A 400 Sender fault with the given code. */
  static ApiException badRequest(String code, String message) {
    return new ApiException(code, 400, message);
  }

  /** {@code ValidationError}: a malformed or out-of-range parameter. */
  static ApiException validation(String message) {
    return badRequest("ValidationError", message);
  }

  /** {@code MissingParameter}, naming the parameter. */
  static ApiException missing(String parameter) {
    return badRequest("MissingParameter",
        parameter + ": (absent) (expected: a value; the parameter is required)");
  }

  /** Maps the library's refusal to the elbv2 fault of the same name. */
  static ApiException of(NlbException e) {
    ErrorCode c = e.code();
    int status = c == ErrorCode.INTERNAL_FAILURE ? 500 : 400;
    // The elbv2 model names this fault ALPNPolicyNotSupported but sends it as ALPNPolicyNotFound.
    String code = c == ErrorCode.ALPN_POLICY_NOT_SUPPORTED ? "ALPNPolicyNotFound" : c.apiName();
    return new ApiException(code, status, String.join("; ", e.problems()));
  }

  String code() {
    return code;
  }

  int status() {
    return status;
  }

  /** {@code Receiver} for the service's own failures (5xx), {@code Sender} otherwise. */
  String type() {
    return status >= 500 ? "Receiver" : "Sender";
  }
}
