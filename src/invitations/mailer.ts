import nodemailer from "nodemailer";
import type { Config } from "../config.js";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail through the configured SMTP server. `send` rejects when the server refuses or cannot be reached. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * The SMTP mailer of this process, or null when SMTP_URL is unset. Bounded waits: a mail server that does not
 * answer must not hold the admin's request for minutes (nodemailer's defaults are 2 min and 10 min).
 */
export function createMailer(mail: Config["mail"]): Mailer | null {
  if (!mail) return null;
  const transport = nodemailer.createTransport({
    url: mail.smtpUrl,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: mail.from, ...message });
    },
    close() {
      transport.close();
    },
  };
}
