/** How a user account is shown by the command line: never its password hash. */
export interface UserView {
  id: string;
  email: string;
}
