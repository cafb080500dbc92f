package io.zgrnet.sys;

/** Linux errno values (asm-generic/errno-base.h, errno.h; x86-64 and arm64 agree) and their names. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOTSOCK = 88;
    public static final int ETIME = 62;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int ECANCELED = 125;

    private Errno() {
    }

    /** The symbolic name and description of {@code errno}, e.g. "EAGAIN (resource temporarily unavailable)". */
    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM (operation not permitted)";
            case ENOENT -> "ENOENT (no such file or directory)";
            case EINTR -> "EINTR (interrupted system call)";
            case EIO -> "EIO (I/O error)";
            case EBADF -> "EBADF (bad file descriptor)";
            case EAGAIN -> "EAGAIN (resource temporarily unavailable)";
            case ENOMEM -> "ENOMEM (out of memory)";
            case EACCES -> "EACCES (permission denied)";
            case EFAULT -> "EFAULT (bad address)";
            case EBUSY -> "EBUSY (device or resource busy)";
            case EEXIST -> "EEXIST (file exists)";
            case ENODEV -> "ENODEV (no such device)";
            case EINVAL -> "EINVAL (invalid argument)";
            case ENFILE -> "ENFILE (too many open files in system)";
            case EMFILE -> "EMFILE (too many open files)";
            case ENOSPC -> "ENOSPC (no space left on device)";
            case EPIPE -> "EPIPE (broken pipe)";
            case ERANGE -> "ERANGE (result out of range)";
            case ENOSYS -> "ENOSYS (function not implemented)";
            case ENOTSOCK -> "ENOTSOCK (socket operation on non-socket)";
            case ETIME -> "ETIME (timer expired)";
            case EMSGSIZE -> "EMSGSIZE (message too long)";
            case ENOPROTOOPT -> "ENOPROTOOPT (protocol not available)";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT (protocol not supported)";
            case EOPNOTSUPP -> "EOPNOTSUPP (operation not supported)";
            case EAFNOSUPPORT -> "EAFNOSUPPORT (address family not supported)";
            case EADDRINUSE -> "EADDRINUSE (address already in use)";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL (cannot assign requested address)";
            case ENETUNREACH -> "ENETUNREACH (network is unreachable)";
            case ENOBUFS -> "ENOBUFS (no buffer space available)";
            case ETIMEDOUT -> "ETIMEDOUT (connection timed out)";
            case ECONNREFUSED -> "ECONNREFUSED (connection refused)";
            case EHOSTUNREACH -> "EHOSTUNREACH (no route to host)";
            case EALREADY -> "EALREADY (operation already in progress)";
            case ECANCELED -> "ECANCELED (operation canceled)";
            default -> "errno " + errno;
        };
    }
}
