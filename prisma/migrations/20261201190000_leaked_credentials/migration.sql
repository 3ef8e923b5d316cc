-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "revokedReason" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "revokedReporter" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "revokedUrl" TEXT;
