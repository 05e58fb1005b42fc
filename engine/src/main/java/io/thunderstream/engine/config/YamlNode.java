package io.thunderstream.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a small tree that remembers where each value came from, read with Jackson's
 * streaming YAML parser. Scalars keep their text as written, so that each setting interprets it
 * (octal file masks, Go durations, sizes) and a wrong value is shown as the user wrote it.
 */
sealed interface YamlNode {

    /** The 1-based line the node starts on. */
    int line();

    /** What the node is, for "expected X, got Y" messages. */
    String describe();

    /** A scalar: its text and Jackson's reading of its type (string, int, float, boolean, null). */
    record Scalar(String text, JsonToken token, int line) implements YamlNode {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        @Override
        public String describe() {
            return isNull() ? "null" : "\"" + text + "\"";
        }
    }

    /** A mapping in document order. */
    record Mapping(Map<String, YamlNode> entries, int line) implements YamlNode {
        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * Parses one YAML document; an empty document gives null. Syntax errors, duplicate keys and
     * aliases (which Jackson's parser does not resolve) are a {@link ConfigException}.
     */
    static YamlNode parse(String yaml) {
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return null;
            }
            YamlNode root = read(parser, token, "");
            if (parser.nextToken() != null) {
                throw new ConfigException("only one YAML document is allowed (line " + line(parser) + ")");
            }
            return root;
        } catch (ConfigException e) {
            throw e;
        } catch (IOException e) {
            throw new ConfigException("not valid YAML: " + withoutExcerpts(e.getMessage())
                    + locationSuffix(e instanceof com.fasterxml.jackson.core.JsonProcessingException p ? p.getLocation() : null), e);
        }
    }

    private static YamlNode read(YAMLParser parser, JsonToken token, String path) throws IOException {
        int line = line(parser);
        if (parser.isCurrentAlias()) {
            throw new ConfigException(name(path) + ": YAML aliases (*" + parser.getText() + ") are not supported (line " + line + ")");
        }
        switch (token) {
            case START_OBJECT -> {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = line(parser);
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    YamlNode value = read(parser, parser.nextToken(), childPath);
                    if (entries.put(key, value) != null) {
                        throw new ConfigException(childPath + ": key given twice (line " + keyLine + ")");
                    }
                }
                return new Mapping(Collections.unmodifiableMap(entries), line);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(read(parser, token, path + "[" + items.size() + "]"));
                }
                return new Sequence(List.copyOf(items), line);
            }
            default -> {
                if (!token.isScalarValue()) {
                    throw new ConfigException(name(path) + ": unexpected YAML token " + token + " (line " + line + ")");
                }
                return new Scalar(parser.getText(), token, line);
            }
        }
    }

    private static String name(String path) {
        return path.isEmpty() ? "(top level)" : path;
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    /** SnakeYAML's message without its source excerpts: "while parsing X; expected Y". */
    private static String withoutExcerpts(String message) {
        if (message == null) {
            return "unreadable";
        }
        List<String> parts = new ArrayList<>();
        for (String line : message.split("\n")) {
            if (!line.isBlank() && !line.startsWith(" ")) {
                parts.add(line.trim());
            }
        }
        return parts.isEmpty() ? message.trim() : String.join("; ", parts);
    }

    private static String locationSuffix(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ")";
    }
}
