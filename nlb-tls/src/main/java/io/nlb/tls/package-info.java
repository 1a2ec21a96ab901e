/** TLS termination: named security policies, certificates, SNI, ALPN and access logs. */
@NullMarked
package io.nlb.tls;

import org.jspecify.annotations.NullMarked;
