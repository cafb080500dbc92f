package io.zgrnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CLI's one JSON writer (and a small reader for files it wrote), without a dependency: maps
 * (keys in their iteration order), lists, strings, numbers, booleans and null. NaN and infinities
 * are written as null; doubles with up to 6 significant digits.
 */
public final class Json {
    private Json() {
    }

    /** {@code value} as compact JSON text. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0, false);
        return sb.toString();
    }

    /**
     * {@code value} as JSON with one line per element of the top-level object and of the lists
     * directly inside it (a report: one line per row), ending with a newline.
     */
    public static String writeRows(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0, true);
        return sb.append('\n').toString();
    }

    /**
     * @param depth how many nesting levels still get one line per element (-1: none)
     * @param spaced a space after ':' and after ',' within a line
     */
    private static void write(StringBuilder sb, Object value, int depth, int indent, boolean spaced) {
        String comma = depth > 0 || !spaced ? "," : ", ";
        switch (value) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "" : comma);
                    first = false;
                    newline(sb, depth, indent + 1);
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(spaced ? ": " : ":");
                    write(sb, e.getValue(), depth - 1, indent + 1, spaced);
                }
                if (!m.isEmpty()) {
                    newline(sb, depth, indent);
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "" : comma);
                    newline(sb, depth, indent + 1);
                    write(sb, l.get(i), depth - 1, indent + 1, spaced);
                }
                if (!l.isEmpty()) {
                    newline(sb, depth, indent);
                }
                sb.append(']');
            }
            default -> string(sb, value.toString());
        }
    }

    private static void newline(StringBuilder sb, int depth, int indent) {
        if (depth > 0) {
            sb.append('\n').append("  ".repeat(indent));
        }
    }

    private static void number(StringBuilder sb, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append("null");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            sb.append(String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
                    .replaceFirst("\\.(e|$)", "$1"));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Parses JSON text into maps (insertion-ordered), lists, strings, doubles, booleans and null.
     *
     * @throws IllegalArgumentException naming the offset of the first error
     */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        Object v = p.value();
        p.space();
        if (p.at < text.length()) {
            throw p.error("trailing text");
        }
        return v;
    }

    private static final class Parser {
        private final String s;
        private int at;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + at);
        }

        void space() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        Object value() {
            space();
            if (at >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> word("true", Boolean.TRUE);
                case 'f' -> word("false", Boolean.FALSE);
                case 'n' -> word("null", null);
                default -> number();
            };
        }

        private Object word(String w, Object v) {
            if (!s.startsWith(w, at)) {
                throw error("expected " + w);
            }
            at += w.length();
            return v;
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return m;
            }
            while (true) {
                space();
                if (at >= s.length() || s.charAt(at) != '"') {
                    throw error("expected a key");
                }
                String k = string();
                space();
                if (at >= s.length() || s.charAt(at) != ':') {
                    throw error("expected ':'");
                }
                at++;
                m.put(k, value());
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                } else if (at < s.length() && s.charAt(at) == '}') {
                    at++;
                    return m;
                } else {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == ']') {
                at++;
                return l;
            }
            while (true) {
                l.add(value());
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                } else if (at < s.length() && s.charAt(at) == ']') {
                    at++;
                    return l;
                } else {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            at++;
            while (at < s.length()) {
                char c = s.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (at >= s.length()) {
                    break;
                }
                char e = s.charAt(at++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw error("bad \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> b.append(e);
                }
            }
            throw error("unterminated string");
        }

        private Double number() {
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
            try {
                return Double.parseDouble(s.substring(start, at));
            } catch (NumberFormatException e) {
                at = start;
                throw error("expected a value");
            }
        }
    }
}
