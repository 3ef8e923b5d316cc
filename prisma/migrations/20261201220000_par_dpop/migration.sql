-- AlterTable
ALTER TABLE "OAuthClient" ADD COLUMN "requirePar" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "OAuthClient" ADD COLUMN "requireDpop" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "DpopProof" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "DpopProof_expiresAt_idx" ON "DpopProof"("expiresAt");
