package io.thunderstream.backend.s3;

import io.thunderstream.api.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Keys read from two files (Kubernetes or Docker secrets) and read again once
 * {@code secrets_refresh_interval} has passed, so that rotated keys are used without a restart.
 * Surrounding whitespace is trimmed: a key never holds any, and editors add a final newline.
 */
final class KeyFileCredentials implements AwsCredentialsProvider {

    private final Path accessKeyFile;
    private final Path secretKeyFile;
    private final long refreshNanos;

    private AwsCredentials current;
    private long readAt;

    KeyFileCredentials(Path accessKeyFile, Path secretKeyFile, Duration refreshInterval) {
        this.accessKeyFile = accessKeyFile;
        this.secretKeyFile = secretKeyFile;
        this.refreshNanos = refreshInterval.toNanos();
    }

    @Override
    public synchronized AwsCredentials resolveCredentials() {
        long now = System.nanoTime();
        if (current == null || now - readAt >= refreshNanos) {
            current = AwsBasicCredentials.create(read(accessKeyFile, "access_key_file"), read(secretKeyFile, "secret_key_file"));
            readAt = now;
        }
        return current;
    }

    private static String read(Path file, String option) {
        try {
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                throw SdkClientException.create(option + " " + file + " is empty");
            }
            return key;
        } catch (IOException e) {
            throw SdkClientException.create("cannot read " + option + " " + FileErrors.describe(file, e));
        }
    }

    @Override
    public String toString() {
        return "KeyFileCredentials[" + accessKeyFile + ", " + secretKeyFile + "]";
    }
}
