-- AlterTable
ALTER TABLE "User" ADD COLUMN "lastSignInAt" DATETIME;

-- AlterTable
ALTER TABLE "AuthorizedAppGrant" ADD COLUMN "approvedById" TEXT;

-- AlterTable
ALTER TABLE "WebSession" ADD COLUMN "userAgent" TEXT;

