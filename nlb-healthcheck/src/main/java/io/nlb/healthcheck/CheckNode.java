package io.nlb.healthcheck;

/**
 * A load balancer node that checks a target: its zone, and the {@code Host} header its HTTP checks
 * carry (the node's address and the listener's port, {@code 10.0.0.10:80}, {@code [fd00::1]:80}).
 *
 * @param zone the node's zone name
 * @param host the {@code Host} header value
 */
record CheckNode(String zone, String host) {}
