from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Profile(Base):
    __tablename__ = "profiles"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    karma: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)


class StaleProfile(Exception):
    pass


def bump_karma(session: Session, profile_id: str, delta: int) -> int:
    profile = session.execute(select(Profile).where(Profile.id == profile_id)).scalar_one()
    new_karma = profile.karma + delta
    result = session.execute(
        update(Profile)
        .where(Profile.id == profile_id, Profile.version == profile.version)
        .values(karma=new_karma, version=profile.version + 1)
    )
    if result.rowcount == 0:
        session.rollback()
        raise StaleProfile(profile_id)
    session.commit()
    return new_karma
