package io.zgrnet.cli;

import io.zgrnet.crypto.X25519;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;

/**
 * Reads and parses private key files: 64 hex characters, surrounding whitespace ignored. A key
 * file is read bounded: it must be a regular file (not {@code /dev/zero}, a pipe or a directory)
 * of at most {@link #MAX_KEY_FILE_BYTES}, so a wrong path fails at once instead of hanging.
 */
final class KeyFiles {
    /** Far more than 64 hex characters and a newline, far less than anything that could hang. */
    static final int MAX_KEY_FILE_BYTES = 4096;

    private KeyFiles() {
    }

    static byte[] readPrivateKey(Path file, String optionName) {
        String what = optionName + ": " + file;
        byte[] bytes;
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class); // follows links
            if (!attrs.isRegularFile()) {
                throw new UsageException(what + " is " + (attrs.isDirectory() ? "a directory" : "not a regular file"
                        + " (a device, pipe or socket)") + "; give the file that keygen wrote (64 hex characters)");
            }
            if (attrs.size() > MAX_KEY_FILE_BYTES) {
                throw tooBig(what, attrs.size());
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_KEY_FILE_BYTES + 1); // the file may have grown since
            }
        } catch (IOException e) {
            throw new UsageException(optionName + ": cannot read " + Failures.fileProblem(file, e));
        }
        if (bytes.length > MAX_KEY_FILE_BYTES) {
            throw tooBig(what, bytes.length);
        }
        // ISO-8859-1 maps every byte to one char: a stray byte is reported as "not hex" below.
        return parseHexKey(new String(bytes, StandardCharsets.ISO_8859_1).strip(), what);
    }

    private static UsageException tooBig(String what, long size) {
        return new UsageException(what + " is " + size + " bytes, too big for a key file (64 hex characters,"
                + " at most " + MAX_KEY_FILE_BYTES + " bytes); give the file that keygen wrote");
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
