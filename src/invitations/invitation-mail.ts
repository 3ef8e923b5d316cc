import type { OutgoingMail } from "./mailer.js";

/** What the invitee reads: who invited them, to which workspace, with which role, until when. */
export interface InvitationMailFacts {
  to: string;
  workspaceName: string;
  role: string;
  invitedBy: string;
  link: string;
  expiresAt: Date;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** The invitation email, plain text and HTML with the same words. */
export function invitationMail(facts: InvitationMailFacts): OutgoingMail {
  const until = facts.expiresAt.toUTCString();
  const lines = [
    `${facts.invitedBy} invited you to join the workspace "${facts.workspaceName}" as ${facts.role}.`,
    "",
    "Open this link to accept:",
    facts.link,
    "",
    `The link works once and expires on ${until}. If you did not expect this invitation, ignore this email.`,
  ];
  const html = [
    `<p>${escapeHtml(facts.invitedBy)} invited you to join the workspace <strong>${escapeHtml(facts.workspaceName)}</strong> as ${escapeHtml(facts.role)}.</p>`,
    `<p><a href="${escapeHtml(facts.link)}">Accept the invitation</a></p>`,
    `<p>The link works once and expires on ${escapeHtml(until)}. If you did not expect this invitation, ignore this email.</p>`,
  ].join("\n");
  return {
    to: facts.to,
    subject: `You are invited to ${facts.workspaceName} on Workspace Auth`,
    text: lines.join("\n"),
    html,
  };
}
