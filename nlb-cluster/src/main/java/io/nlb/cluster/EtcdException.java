package io.nlb.cluster;

/**
 * A call to etcd failed: no endpoint could be reached within the request timeout, the stream of a
 * watch ended, or etcd refused the request. The message names the call and the endpoint.
 *
 * @since 0.1
 */
public final class EtcdException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the call and the endpoint
   */
  public EtcdException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the call and the endpoint
   * @param cause the I/O error behind it
   */
  public EtcdException(String message, Throwable cause) {
    super(message, cause);
  }
}
