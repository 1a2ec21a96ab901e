/**
 * The AWS API endpoint: {@link io.nlb.awsapi.AwsApiServer} and the values that configure it
 * (subnets, the certificate store, access keys).
 */
@NullMarked
package io.nlb.awsapi;

import org.jspecify.annotations.NullMarked;
