import type Provider from "oidc-provider";

/** A pending authorization request waiting for the person (login or consent), as oidc-provider stores it. */
export type PendingInteraction = Awaited<ReturnType<Provider["interactionDetails"]>>;
