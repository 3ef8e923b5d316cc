/** The signed-in person on our pages (login, consent, Settings). */
export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  /** Digest of the session cookie, the session's id. */
  sessionId: string;
}
