package io.thunderstream.backend.azure;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Skips the test class when Azurite is not installed (fails instead under {@code CI=true}), and
 * resolves {@link Azurite} parameters (in {@code @BeforeAll} methods, say) to the run's shared Azurite.
 */
public final class AzuriteExtension implements ExecutionCondition, ParameterResolver {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Azurite.find().isPresent()) {
            return ConditionEvaluationResult.enabled("Azurite found");
        }
        if (Azurite.ci()) {
            return ConditionEvaluationResult.enabled("CI=true: Azurite is required, the tests will fail");
        }
        return ConditionEvaluationResult.disabled(Azurite.MISSING + "; skipping the Azure tests (they fail under CI=true)");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Azurite.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return Azurite.get(context);
    }
}
