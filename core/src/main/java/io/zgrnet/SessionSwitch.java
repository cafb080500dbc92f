package io.zgrnet;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Changes which session of a peer carries its traffic: a response that authenticated our
 * initiation (control agent), or a candidate proven by its first authenticated packet (reader).
 * Always under the peer's monitor; see docs/SESSIONS.md for why each step is where it is.
 */
final class SessionSwitch {
    private static final System.Logger LOG = System.getLogger(SessionSwitch.class.getName());

    private final TransportContext ctx;
    private final SendPath sendPath;
    private final ControlCommands commands;

    SessionSwitch(TransportContext ctx, SendPath sendPath, ControlCommands commands) {
        this.ctx = ctx;
        this.sendPath = sendPath;
        this.commands = commands;
    }

    /**
     * Called on the reader thread when a session authenticates its first packet: a candidate
     * becomes current (the other candidates, which nothing proved, are retired) and what was
     * staged goes out on it, in order.
     */
    void confirm(PeerSession s) {
        Peer peer = s.peer;
        boolean promoted = false;
        synchronized (peer) {
            if (s.confirmed) {
                return;
            }
            s.confirmed = true;
            s.proven();
            for (PeerSession c : peer.candidates) {
                if (c == s) {
                    promoted = true;
                }
            }
            if (promoted) {
                switchTo(peer, s);
                peer.rememberConfirmed(s.initEphemeral);
                LOG.log(Level.DEBUG, "session with {0} confirmed; switched to {1}", peer.key, s.endpoint);
            }
        }
        if (promoted) {
            ctx.stats.increment(TransportCounter.HANDSHAKES_COMPLETED);
            commands.submit(ControlCommands.Kind.COMPLETE_WAITERS, peer, null);
        }
    }

    /**
     * Makes {@code session} current (peer's monitor held): new writers are diverted to the slow
     * path (which takes this monitor), writers already on the fast path finish on the old session,
     * then the staged messages go out on the new one, in order, and only then is it published.
     */
    void switchTo(Peer peer, PeerSession session) {
        peer.staging = true;
        awaitWriters(peer);
        PeerSession[] waiting = peer.candidates;
        if (java.util.Arrays.asList(waiting).contains(session)) {
            // The proven candidate becomes current; the others, which nothing proved, are retired.
            // Only now that no writer is on the fast path: one that read the candidates earlier
            // still sends its copy to this session.
            peer.candidates = Peer.NO_CANDIDATES;
            for (PeerSession c : waiting) {
                if (c != session) {
                    retire(c);
                }
            }
        }
        peer.endpoint = session.endpoint;
        sendPath.flushStaged(peer, session, session.endpoint);
        replaceCurrent(peer, session);
        peer.holdUntilNs = 0;
        peer.staging = false;
    }

    /** Waits (bounded) for writers that read "not staging" before it was set to leave the fast path. */
    void awaitWriters(Peer peer) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        while (peer.writersInside.get() != 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
    }

    /** Makes {@code session} current; the old current becomes previous; the older previous retires. */
    void replaceCurrent(Peer peer, PeerSession session) {
        PeerSession old = peer.current;
        PeerSession older = peer.previous;
        if (old == session) {
            return;
        }
        peer.previous = old;
        peer.current = session;
        if (older != null && older != session) {
            retire(older);
        }
    }

    void retire(PeerSession s) {
        ctx.sessions.remove(s.localIndex, s);
        s.destroy();
    }

}
