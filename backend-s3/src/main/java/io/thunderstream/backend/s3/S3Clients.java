package io.thunderstream.backend.s3;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.AttributeMap;

/** Builds the pooled HTTP client and the S3 client that {@link S3Options} describe. */
final class S3Clients {

    private S3Clients() {
    }

    static SdkHttpClient httpClient(S3Options options) {
        Apache5HttpClient.Builder http = Apache5HttpClient.builder()
                .connectionTimeout(options.dialTimeout)
                .connectionMaxIdleTime(options.idleConnTimeout)
                .maxConnections(options.maxIdleConns)
                .tcpKeepAlive(options.dialKeepAlive);
        options.tls.trustManagers().ifPresent(tm -> http.tlsTrustManagersProvider(() -> tm));
        options.tls.keyManagers().ifPresent(km -> http.tlsKeyManagersProvider(() -> km));
        if (options.tls.insecureSkipVerify()) {
            // Only when asked: accepts any certificate and host name.
            return http.buildWithDefaults(AttributeMap.builder()
                    .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build());
        }
        return http.build();
    }

    static AwsCredentialsProvider credentials(S3Options options) {
        if (!options.accessKey.isEmpty()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(options.accessKey, options.secretKey));
        }
        if (options.accessKeyFile.isPresent()) {
            return new KeyFileCredentials(options.accessKeyFile.get(), options.secretKeyFile.get(),
                    options.secretsRefreshInterval);
        }
        // Environment, profile, web identity, container and instance roles.
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * The scheduler of the SDK's call timeouts ({@code client_timeout}), which drops a call's
     * timeout task as soon as the call ends. The SDK's own keeps every cancelled task queued until
     * its time would have come: at a 100 ms poll interval and the default 15 min, some 27,000
     * tasks. The caller shuts it down after closing the client.
     */
    static ScheduledThreadPoolExecutor callTimeoutScheduler() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "s3-call-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    static S3Client s3Client(S3Options options, SdkHttpClient http, AwsCredentialsProvider credentials,
                             ScheduledExecutorService callTimeouts, List<ExecutionInterceptor> interceptors) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .apiCallTimeout(options.clientTimeout)
                .scheduledExecutorService(callTimeouts);
        interceptors.forEach(override::addExecutionInterceptor);
        var builder = S3Client.builder()
                .httpClient(http)
                .credentialsProvider(credentials)
                .region(Region.of(options.region))
                .overrideConfiguration(override.build())
                // The SDK's newer default checksums (CRC32 trailers) are not understood by every
                // S3-compatible server; we send Content-MD5 ourselves unless disabled.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (options.endpoint.isPresent()) {
            // MinIO, Ceph, S3Proxy and friends: bucket in the path, not in the host name.
            builder.endpointOverride(options.endpoint.get()).forcePathStyle(true);
        } else {
            // AWS: find the bucket's region like the Go client does, whatever region is configured.
            builder.crossRegionAccessEnabled(true);
        }
        return builder.build();
    }
}
