package io.thunderstream.engine.config;

/** The thresholds of {@code /healthz}: {@code health}. */
public record HealthConfig(HealthThresholds storageList, HealthThresholds storageLoad,
        HealthThresholds storageStore, StartHealthConfig start) {

    private static final HealthConfig DEFAULTS = new HealthConfig(HealthThresholds.defaults(),
            HealthThresholds.defaults(), HealthThresholds.defaults(), StartHealthConfig.defaults());

    public static HealthConfig defaults() {
        return DEFAULTS;
    }
}
