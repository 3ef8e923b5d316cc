-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "revokedReason" TEXT,
ADD COLUMN     "revokedReporter" TEXT,
ADD COLUMN     "revokedUrl" TEXT;
