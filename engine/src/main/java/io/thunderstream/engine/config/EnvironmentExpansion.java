package io.thunderstream.engine.config;

import java.util.Map;

/**
 * Expands environment references in config text before it is parsed, the way Lightning Stream
 * does with Go's {@code os.ExpandEnv}: {@code $VAR} and {@code ${VAR}} become the variable's value,
 * and a variable that is not set becomes the empty string (not an error, as in LS). On top of
 * LS, {@code ${VAR:-default}} gives {@code default} when VAR is unset or empty.
 *
 * <p>Go's rules are kept for the odd cases so that an LS config expands to the same text: a
 * {@code $} followed by neither a name nor a brace stays as it is, {@code ${}} and an unclosed
 * {@code ${} are dropped, and {@code $1}, {@code $$} and other one-character special names
 * expand to the (normally unset) variable of that name.
 */
final class EnvironmentExpansion {

    private EnvironmentExpansion() {
    }

    static String expand(String text, Map<String, String> environment) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    i += 2; // Go eats an unclosed "${"
                    continue;
                }
                out.append(lookUp(text.substring(i + 2, close), environment));
                i = close + 1;
            } else if (isSpecial(next)) {
                out.append(value(String.valueOf(next), environment));
                i += 2;
            } else {
                int end = i + 1;
                while (end < text.length() && isNameChar(text.charAt(end))) {
                    end++;
                }
                if (end == i + 1) {
                    out.append('$');
                } else {
                    out.append(value(text.substring(i + 1, end), environment));
                }
                i = end;
            }
        }
        return out.toString();
    }

    /** The inside of {@code ${...}}: a name, or our extension {@code name:-default}. */
    private static String lookUp(String reference, Map<String, String> environment) {
        int dash = reference.indexOf(":-");
        if (dash < 0) {
            return value(reference, environment);
        }
        String value = value(reference.substring(0, dash), environment);
        return value.isEmpty() ? reference.substring(dash + 2) : value;
    }

    private static String value(String name, Map<String, String> environment) {
        return environment.getOrDefault(name, "");
    }

    private static boolean isSpecial(char c) {
        return "*#$@!?-".indexOf(c) >= 0 || (c >= '0' && c <= '9');
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
