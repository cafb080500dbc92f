package io.zgrnet.cli;

import io.zgrnet.crypto.X25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Reads and parses private key files: 64 hex characters, surrounding whitespace ignored. */
final class KeyFiles {
    private KeyFiles() {
    }

    static byte[] readPrivateKey(Path file, String optionName) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UsageException(optionName + ": cannot read " + file + ": " + e.getMessage());
        }
        return parseHexKey(text, optionName + " (" + file + ")");
    }

    static byte[] parseHexKey(String hex, String what) {
        if (hex.length() != 2 * X25519.KEY_LENGTH) {
            throw new UsageException(what + ": expected 64 hex characters, got " + hex.length());
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": not hex: " + e.getMessage());
        }
    }
}
