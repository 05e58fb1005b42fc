package io.thunderstream.backend.s3;

import io.thunderstream.api.StorageException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns SDK failures into one-line {@link StorageException}s that say what was done, where
 * (endpoint and bucket) and what S3 answered (its error code), e.g.
 * {@code s3 list "main__": InvalidAccessKeyId (HTTP 403): ... [endpoint http://minio:9000, bucket dns]}.
 * A message never holds a secret: the SDK's texts do not, and the secret key is masked anyway.
 */
final class S3Errors {

    private final String where;
    private final String secretKey;

    S3Errors(S3Options options) {
        this.where = " [endpoint " + options.endpointForMessages() + ", bucket " + options.bucket + "]";
        this.secretKey = options.secretKey;
    }

    StorageException storageException(String operation, String name, Exception e) {
        return new StorageException(message(operation, name, e), e);
    }

    String message(String operation, String name, Exception e) {
        String what = "s3 " + operation + (name == null ? "" : " \"" + name + "\"") + ": ";
        return mask(what + describe(e) + where);
    }

    /** S3's error code when it answered, else what went wrong on the way. */
    static String describe(Throwable e) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            String text = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorMessage();
            if (code == null || code.isEmpty()) {
                code = codeForStatus(s3.statusCode()); // HEAD answers have no body, so no code
            }
            return code + " (HTTP " + s3.statusCode() + ")" + (text == null || text.isEmpty() ? "" : ": " + oneLine(text));
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return "timed out (client_timeout or init_timeout): " + oneLine(e.getMessage());
        }
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SSLException
                    || t instanceof SocketTimeoutException) {
                break;
            }
        }
        if (root instanceof ConnectException || root.getClass().getSimpleName().contains("ConnectTimeout")) {
            return "cannot connect: " + oneLine(root.getMessage());
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + oneLine(root.getMessage());
        }
        if (root instanceof SSLException) {
            return "TLS failure: " + oneLine(root.getMessage());
        }
        if (root instanceof SocketTimeoutException) {
            return "timed out: " + oneLine(root.getMessage());
        }
        if (e instanceof SdkException && root == e) {
            return oneLine(e.getMessage());
        }
        return oneLine(e.getMessage()) + (root == e ? "" : " (" + root.getClass().getSimpleName() + ": "
                + oneLine(root.getMessage()) + ")");
    }

    static String codeForStatus(int status) {
        return switch (status) {
            case 301 -> "PermanentRedirect";
            case 400 -> "BadRequest";
            case 403 -> "AccessDenied";
            case 404 -> "NotFound";
            default -> "HTTP" + status;
        };
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > 400 ? line.substring(0, 400) + "..." : line;
    }

    private String mask(String message) {
        return secretKey.isEmpty() ? message : message.replace(secretKey, "*****");
    }
}
